using System.Net;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// What the planner may look at: the original destination (the tunnel's <c>:authority</c>, a service VIP or a pod
/// address with its port), the method, the path without the query, the Host header, a header lookup
/// (case-insensitive names; null when absent) and the query (with its <c>?</c>, or empty; a redirect keeps it).
/// </summary>
public sealed record RequestFacts(IPEndPoint Destination, string Method, string Path, string? Host, Func<string, string?> Header, string Query = "")
{
    public static readonly Func<string, string?> NoHeaders = _ => null;
}
