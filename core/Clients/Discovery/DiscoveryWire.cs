namespace Mesh.Core.Discovery;

/// <summary>
/// The discovery protocol (HTTP/2 over TLS on the control plane port, no gRPC):
/// <c>POST /mesh.discovery.v1/stream?view=node|full</c> with <c>Authorization: Bearer &lt;node token&gt;</c> and
/// a <see cref="DiscoveryRequest"/> body. The response is a long-lived stream of JSON lines (one message
/// per '\n'-terminated line):
/// <list type="bullet">
/// <item><c>{"type":"full","epoch":E,"version":V,"workloads":[..],"services":[..],"waypoints":[..],"policies":[..],"httpRoutes":[..],"namespaces":[..],"trustBundles":[..]}</c>
/// replaces everything the client holds;</item>
/// <item><c>{"type":"delta","epoch":E,"version":V,"from":U,"workloads":[..],..,"removed":{"workloads":["uid"],"services":["ns/name"],..}}</c>
/// upserts whole resources and removes others by key.</item>
/// </list>
/// Keys: workloads by uid, trust bundles by trust domain, everything else by "namespace/name". Resources are the core/Model records in
/// camelCase JSON (<see cref="DiscoveryJson"/>). The epoch changes when the control plane restarts; versions
/// only grow. A resource's hash (<see cref="ResourceHash"/>) is FNV-1a 64 over its exact JSON bytes on the wire.
/// </summary>
public static class DiscoveryWire
{
    public const string StreamPath = "/mesh.discovery.v1/stream";
    public const string ContentType = "application/x-ndjson";
    public const string ViewNode = "node";
    public const string ViewFull = "full";

    public const string Full = "full";
    public const string Delta = "delta";

    public const string Workloads = "workloads";
    public const string Services = "services";
    public const string Waypoints = "waypoints";
    public const string Policies = "policies";
    public const string HttpRoutes = "httpRoutes";
    public const string Namespaces = "namespaces";
    /// <summary>The trust bundle (<see cref="Identity.TrustBundle"/>), keyed by trust domain: every view gets it.</summary>
    public const string TrustBundles = "trustBundles";
    public const string Removed = "removed";

    public static readonly string[] Kinds = [Workloads, Services, Waypoints, Policies, HttpRoutes, Namespaces, TrustBundles];
}
