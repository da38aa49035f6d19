using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Mesh.Core.Identity;

namespace Mesh.Core.Model;

/// <summary>
/// One immutable snapshot of what the proxies know: built by one writer (the discovery client or a
/// local file), swapped whole, read without locks.
/// </summary>
public sealed record MeshState
{
    public static readonly MeshState Empty = Build(0, [], [], [], []);

    public long Version { get; init; }
    public ImmutableArray<Workload> Workloads { get; init; } = [];
    public ImmutableArray<Service> Services { get; init; } = [];
    public ImmutableArray<Waypoint> Waypoints { get; init; } = [];
    public ImmutableArray<AuthorizationPolicy> Policies { get; init; } = [];
    /// <summary>Gateway API HTTPRoutes (used by waypoints; ztunnels do not receive them).</summary>
    public ImmutableArray<HttpRoute> HttpRoutes { get; init; } = [];
    /// <summary>Every namespace with its enrollment (the node agent decides new pods from it).</summary>
    public ImmutableArray<MeshNamespace> Namespaces { get; init; } = [];
    /// <summary>The trust anchors the control plane publishes (null until a bundle arrived: the bootstrap file is used).</summary>
    public TrustBundle? TrustBundle { get; init; }

    public FrozenDictionary<IPAddress, Workload> WorkloadsByAddress { get; init; } = FrozenDictionary<IPAddress, Workload>.Empty;
    public FrozenDictionary<string, Workload> WorkloadsByUid { get; init; } = FrozenDictionary<string, Workload>.Empty;
    public FrozenDictionary<IPAddress, Service> ServicesByAddress { get; init; } = FrozenDictionary<IPAddress, Service>.Empty;

    public static MeshState Build(long version, IEnumerable<Workload> workloads, IEnumerable<Service> services,
        IEnumerable<Waypoint> waypoints, IEnumerable<AuthorizationPolicy> policies)
    {
        var w = workloads.ToImmutableArray();
        var s = services.ToImmutableArray();
        var byAddr = new Dictionary<IPAddress, Workload>();
        foreach (var wl in w)
        {
            foreach (var a in wl.Addresses)
            {
                byAddr[a] = wl;
            }
        }
        var svcByAddr = new Dictionary<IPAddress, Service>();
        foreach (var sv in s)
        {
            foreach (var a in sv.Addresses)
            {
                svcByAddr[a] = sv;
            }
        }
        return new MeshState
        {
            Version = version,
            Workloads = w,
            Services = s,
            Waypoints = waypoints.ToImmutableArray(),
            Policies = policies.ToImmutableArray(),
            WorkloadsByAddress = byAddr.ToFrozenDictionary(),
            WorkloadsByUid = w.ToFrozenDictionary(x => x.Uid),
            ServicesByAddress = svcByAddr.ToFrozenDictionary(),
        };
    }
}
