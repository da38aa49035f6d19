using System.Collections.Immutable;
using System.Net;
using Mesh.Core.Model;

namespace Mesh.Tests.Unit.Ztunnel;

using Waypoint = Mesh.Core.Model.Waypoint;

/// <summary>Small factories for the runtime model used by the ztunnel decision tests.</summary>
internal static class TestWorkloads
{
    public static Workload Pod(string ns, string name, string ip, bool captured = true, string sa = "default",
        string node = "node1", NamespacedName? waypoint = null, params (string Key, string Value)[] labels) => new()
    {
        Uid = $"{ns}/{name}",
        Name = name,
        Namespace = ns,
        ServiceAccount = sa,
        Node = node,
        Addresses = ip.Length == 0 ? [] : [IPAddress.Parse(ip)],
        Captured = captured,
        Waypoint = waypoint,
        Labels = labels.ToImmutableDictionary(l => l.Key, l => l.Value),
    };

    public static Service Svc(string ns, string name, string vip, IEnumerable<Workload> endpoints,
        NamespacedName? waypoint = null, params ServicePort[] ports) => new()
    {
        Name = name,
        Namespace = ns,
        Addresses = [IPAddress.Parse(vip)],
        Ports = [.. ports],
        Endpoints = [.. endpoints.Select(e => e.Uid)],
        Waypoint = waypoint,
    };

    public static MeshState State(IEnumerable<Workload> workloads, IEnumerable<Service>? services = null,
        IEnumerable<Waypoint>? waypoints = null, IEnumerable<AuthorizationPolicy>? policies = null) =>
        MeshState.Build(1, workloads, services ?? [], waypoints ?? [], policies ?? []);
}
