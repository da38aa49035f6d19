using System.Collections.Immutable;
using System.Net;

namespace Mesh.Core.Model;

/// <summary>A service: virtual addresses, ports and the workloads behind it.</summary>
public sealed record Service
{
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public ImmutableArray<IPAddress> Addresses { get; init; } = [];
    public ImmutableArray<ServicePort> Ports { get; init; } = [];
    /// <summary>Workload uids of the endpoints.</summary>
    public ImmutableArray<string> Endpoints { get; init; } = [];
    public NamespacedName? Waypoint { get; init; }
    /// <summary>From <c>spec.trafficDistribution</c>: whether ztunnel keeps connections on the client's node.</summary>
    public TrafficDistribution TrafficDistribution { get; init; }
    /// <summary>Circuit breaking of its endpoints at waypoints (null: <see cref="FailureAccrualSettings.Default"/>).</summary>
    public FailureAccrualSettings? FailureAccrual { get; init; }

    public NamespacedName Key => new(Namespace, Name);
}

/// <summary>A service port and the port it maps to on the endpoints.</summary>
public readonly record struct ServicePort(int Port, int TargetPort, string Protocol = "TCP");
