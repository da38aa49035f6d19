using System.Collections.Immutable;
using System.Net;
using Mesh.Core.Model;
using Mesh.Waypoint.Routing;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>A small mesh for the routing tests: services echo (VIP .1, via the waypoint), echo-v1 (.2), echo-v2 (.3), empty (.4).</summary>
internal static class RouteFixtures
{
    public static readonly NamespacedName Gateway = new("app", "waypoint");
    public static readonly IPEndPoint EchoVip = IPEndPoint.Parse("198.19.128.1:80");

    public static Workload Pod(string name, string ip, bool captured = true, params (string, string)[] labels) => new()
    {
        Uid = $"app/{name}",
        Name = name,
        Namespace = "app",
        ServiceAccount = "echo",
        Node = "node1",
        Addresses = [IPAddress.Parse(ip)],
        Captured = captured,
        Labels = labels.ToImmutableDictionary(l => l.Item1, l => l.Item2),
    };

    public static Service Svc(string name, string vip, params string[] endpoints) => new()
    {
        Name = name,
        Namespace = "app",
        Addresses = [IPAddress.Parse(vip)],
        Ports = [new ServicePort(80, 8080)],
        Endpoints = [.. endpoints],
        Waypoint = name == "echo" ? Gateway : null,
    };

    public static HttpRoute Route(string name, params HttpRouteRule[] rules) => new()
    {
        Name = name,
        Namespace = "app",
        Parents = [new HttpRouteParent("Service", "app", "echo", 80)],
        Rules = [.. rules],
    };

    public static HttpRouteRule Rule(params HttpBackendRef[] backends) => new() { Backends = [.. backends] };

    public static HttpBackendRef To(string service, int weight = 1) => new("app", service, 80, weight);

    public static RouteTable Table(params HttpRoute[] routes)
    {
        Workload[] pods = [Pod("echo-v1", "198.18.1.3"), Pod("echo-v2", "198.18.2.3"), Pod("client", "198.18.1.2")];
        Service[] services =
        [
            Svc("echo", "198.19.128.1", "app/echo-v1", "app/echo-v2"),
            Svc("echo-v1", "198.19.128.2", "app/echo-v1"),
            Svc("echo-v2", "198.19.128.3", "app/echo-v2"),
            Svc("empty", "198.19.128.4"),
        ];
        var state = MeshState.Build(1, pods, services, [new Mesh.Core.Model.Waypoint { Name = "waypoint", Namespace = "app" }], []) with { HttpRoutes = [.. routes] };
        return RouteTable.Build(state, Gateway);
    }

    public static RequestFacts Get(string path = "/", IPEndPoint? destination = null, string method = "GET",
        Dictionary<string, string>? headers = null, string? host = null) =>
        new(destination ?? EchoVip, method, path, host ?? "echo.app",
            name => headers is not null && headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null);
}
