using System.Globalization;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Filters;

/// <summary>
/// The Location of a RequestRedirect (Gateway API): each part from the filter where it sets one, else from the
/// request: scheme (the request's is http inside the mesh), hostname (the Host header without its port; the
/// destination address without one), port (the filter's; else the scheme's well-known port when the filter sets a
/// scheme; else the port the client addressed, the listener port of a mesh route), path (the path modifier applied to
/// the request's path) and the query unchanged. Port 80 for http and 443 for https are left out. Pure.
/// </summary>
public static class RedirectLocation
{
    /// <param name="host">The request's Host header (may carry a port), or null.</param>
    /// <param name="query">The query with its leading <c>?</c>, or empty.</param>
    public static string Build(HttpRedirect redirect, string? host, string fallbackHost, int requestPort, string path, string query, string? matchedPrefix)
    {
        var scheme = redirect.Scheme ?? "http";
        var hostname = redirect.Hostname ?? (string.IsNullOrEmpty(host) ? fallbackHost : WithoutPort(host));
        var port = redirect.Port ?? (redirect.Scheme is null ? requestPort : scheme == "https" ? 443 : 80);
        var defaultPort = scheme == "https" ? 443 : 80;
        var authority = port == defaultPort ? hostname : $"{hostname}:{port.ToString(CultureInfo.InvariantCulture)}";
        return $"{scheme}://{authority}{PathRewriter.Apply(redirect.Path, path, matchedPrefix)}{query}";
    }

    /// <summary>The host of a Host header: <c>a.b:8080</c> -> <c>a.b</c>, <c>[::1]:80</c> -> <c>[::1]</c>.</summary>
    public static string WithoutPort(string host)
    {
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? host[..(end + 1)] : host;
        }
        var colon = host.LastIndexOf(':');
        return colon > 0 && host.IndexOf(':', StringComparison.Ordinal) == colon ? host[..colon] : host;
    }
}
