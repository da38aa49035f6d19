using System.Text.RegularExpressions;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// Gateway API match semantics: path (Exact, PathPrefix by whole segments with a trailing slash ignored,
/// RegularExpression over the whole path), method (exact), headers (case-insensitive names; Exact or
/// RegularExpression values), hostnames (exact or <c>*.suffix</c>, port ignored). Pure.
/// </summary>
public static class RouteMatcher
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>A match without any field (or a rule without matches) is PathPrefix "/".</summary>
    public static readonly HttpRouteMatch MatchAll = new() { PathType = "PathPrefix", PathValue = "/" };

    public static bool Matches(HttpRouteMatch match, RequestFacts request)
    {
        if (match.PathType is { } type && !PathMatches(type, match.PathValue ?? "/", request.Path))
        {
            return false;
        }
        if (match.Method is { } method && !string.Equals(method, request.Method, StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var h in match.Headers)
        {
            var value = request.Header(h.Name);
            if (value is null || !(h.Type == "RegularExpression" ? FullMatch(h.Value, value) : string.Equals(h.Value, value, StringComparison.Ordinal)))
            {
                return false;
            }
        }
        return true;
    }

    public static bool PathMatches(string type, string value, string path) => type switch
    {
        "Exact" => string.Equals(value, path, StringComparison.Ordinal),
        "RegularExpression" => FullMatch(value, path),
        _ => PrefixMatches(value, path),
    };

    /// <summary>Segment-wise prefix: "/abc" matches "/abc", "/abc/" and "/abc/def", not "/abcd"; "/abc/" is "/abc".</summary>
    public static bool PrefixMatches(string prefix, string path)
    {
        var p = prefix.Length > 1 ? prefix.TrimEnd('/') : prefix;
        if (p is "/" or "")
        {
            return true;
        }
        return path.StartsWith(p, StringComparison.Ordinal) && (path.Length == p.Length || path[p.Length] == '/');
    }

    public static bool HostMatches(IReadOnlyCollection<string> hostnames, string? host)
    {
        if (hostnames.Count == 0)
        {
            return true;
        }
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }
        var h = StripPort(host);
        foreach (var name in hostnames)
        {
            if (name.StartsWith("*.", StringComparison.Ordinal)
                ? h.Length > name.Length - 1 && h.EndsWith(name[1..], StringComparison.OrdinalIgnoreCase)
                : string.Equals(name, h, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Precedence between matching rules (higher wins): Exact path, then the longest prefix (regular expressions
    /// rank below prefixes), then a method match, then the number of header matches.
    /// </summary>
    public static (int PathKind, int PathLength, int Method, int Headers) Rank(HttpRouteMatch match) => (
        match.PathType switch { "Exact" => 3, "RegularExpression" => 1, null => 2, _ => 2 },
        match.PathType is "Exact" or "PathPrefix" ? (match.PathValue ?? "/").Length : match.PathType is null ? 1 : 0,
        match.Method is null ? 0 : 1,
        match.Headers.Length);

    private static bool FullMatch(string pattern, string input)
    {
        try
        {
            return Regex.IsMatch(input, $"^(?:{pattern})$", RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (Exception e) when (e is ArgumentException or RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string StripPort(string host)
    {
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? host[1..end] : host;
        }
        var colon = host.LastIndexOf(':');
        return colon > 0 && host.IndexOf(':', StringComparison.Ordinal) == colon ? host[..colon] : host;
    }
}
