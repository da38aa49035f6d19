using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Hbone;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Tests.Common;
using Mesh.Waypoint;
using Mesh.Waypoint.Host;
using Mesh.Waypoint.Identity;
using Mesh.Waypoint.Metrics;
using Mesh.Waypoint.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>
/// The waypoint's data path on loopback, all real TLS and HBONE: a client HBONE-tunnels to the waypoint (Kestrel on
/// 127.0.0.1), which routes and HBONE-tunnels to fake endpoint ztunnels (core <see cref="HboneServer"/>) that relay to
/// small Kestrel backends. Model addresses (198.18.250.x) are never dialed: the waypoint's socket factory maps an
/// endpoint's ip:15008 to its fake ztunnel's loopback port, and the fake ztunnel maps ip:8080 to the backend's.
/// Services: echo (198.19.128.1, both), echo-v1 (.2), echo-v2 (.3), with-dead (.4: a dead endpoint and v1), dead-only (.5: the dead endpoint alone).
/// </summary>
internal sealed class WaypointTestBed : IAsyncDisposable
{
    public static readonly SpiffeId WaypointId = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/waypoint");
    public static readonly SpiffeId ClientId = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");
    public static readonly SpiffeId EchoId = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/echo");

    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<IPAddress, int> _hbonePorts = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private WebApplication _app = null!;
    private HboneClient _waypointHbone = null!;

    public TestCertificateAuthority Ca { get; } = new(TimeProvider.System, TimeSpan.FromHours(1));
    public RouteTableStore Routes { get; } = new(new NamespacedName("app", "waypoint"));
    public WaypointMetrics Metrics { get; } = new();
    public Dictionary<string, FakeEndpoint> Endpoints { get; } = [];
    public IPEndPoint WaypointAddress { get; private set; } = null!;
    public HboneCredential ClientCredential { get; private set; } = null!;
    public HboneClient ClientHbone { get; } = new(new HboneClientOptions());
    public HttpClient Client { get; private set; } = null!;

    public static async Task<WaypointTestBed> StartAsync()
    {
        var bed = new WaypointTestBed();
        await bed.InitAsync();
        return bed;
    }

    /// <summary>Replaces the HTTPRoutes (the mesh state is otherwise fixed).</summary>
    public void SetRoutes(params HttpRoute[] routes) => Routes.Update(State() with { HttpRoutes = [.. routes] });

    /// <summary>Replaces the authorization policies (no routes).</summary>
    public void SetPolicies(params AuthorizationPolicy[] policies) => Routes.Update(State() with { Policies = [.. policies] });

    /// <summary>A client whose tunnels present <paramref name="credential"/> (default: the client's).</summary>
    public HttpClient NewClient(HboneCredential? credential = null) => new(NewHandler(credential)) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The client's handler: each connection an HBONE tunnel to the waypoint presenting <paramref name="credential"/>.</summary>
    public SocketsHttpHandler NewHandler(HboneCredential? credential = null) => new()
    {
        UseProxy = false,
        ConnectCallback = async (ctx, ct) =>
        {
            var target = new IPEndPoint(IPAddress.Parse(ctx.DnsEndPoint.Host), ctx.DnsEndPoint.Port);
            var r = await ClientHbone.ConnectAsync(new HboneConnectRequest(credential ?? ClientCredential, WaypointId, WaypointAddress, target), ct);
            return r.IsSuccess ? r.Stream! : throw new HttpRequestException($"hbone to the waypoint: {r.Error} {r.Detail}");
        },
    };

    /// <summary>A credential for <paramref name="id"/> signed by <paramref name="ca"/> (default: the bed's CA), trusting the bed's root.</summary>
    public async Task<HboneCredential> IssueAsync(SpiffeId id, TestCertificateAuthority? ca = null)
    {
        var (key, csr) = CsrBuilder.Create(id);
        using (key)
        {
            var issued = await (ca ?? Ca).SignAsync(id, csr, CancellationToken.None);
            using var withKey = issued.Leaf.CopyWithPrivateKey(key);
            return new HboneCredential(X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null), issued.Chain, [Ca.Root]);
        }
    }

    private async Task InitAsync()
    {
        ClientCredential = await IssueAsync(ClientId);
        var echo = await IssueAsync(EchoId);
        foreach (var (name, ip) in new[] { ("echo-v1", "198.18.250.2"), ("echo-v2", "198.18.250.3") })
        {
            var e = await FakeEndpoint.StartAsync(name, IPAddress.Parse(ip), echo, _stop.Token);
            Endpoints[name] = e;
            _hbonePorts[e.ModelAddress] = e.HbonePort;
            _owned.Add(e);
        }
        // The dead endpoint: a loopback port nobody listens on.
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _hbonePorts[IPAddress.Parse("198.18.250.4")] = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        Routes.Update(State());

        var identity = new WaypointIdentity(Ca, WaypointId, TimeProvider.System, NullLogger<WaypointIdentity>.Instance);
        _ = identity.RunAsync(_stop.Token);
        await identity.Ready.WaitAsync(TimeSpan.FromSeconds(30));
        _waypointHbone = new HboneClient(new HboneClientOptions { SocketFactory = ConnectMappedAsync });
        var options = new WaypointOptions
        {
            ControlPlane = new Uri("https://127.0.0.1:1"), RootCertFile = "-", TokenFile = "-", Node = "node1",
            Namespace = "app", ServiceAccount = "waypoint", Gateway = "waypoint", ListenAddress = IPAddress.Loopback, HbonePort = 0,
        };
        // WAYPOINT_TEST_LOG=1 shows the waypoint's and Kestrel's debug log when a test needs explaining.
        _app = WaypointHost.CreateApp(options, identity, Routes, _waypointHbone, Metrics, logging =>
        {
            if (Environment.GetEnvironmentVariable("WAYPOINT_TEST_LOG") is not null)
            {
                logging.SetMinimumLevel(LogLevel.Debug);
                logging.AddConsole();
            }
        });
        await _app.StartAsync();
        var https = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal));
        WaypointAddress = new IPEndPoint(IPAddress.Loopback, new Uri(https).Port);
        Client = NewClient();
    }

    private async ValueTask<Socket> ConnectMappedAsync(IPEndPoint destination, IPAddress? source, CancellationToken ct)
    {
        if (destination.Port != 15008 || !_hbonePorts.TryGetValue(destination.Address, out var port))
        {
            throw new SocketException((int)SocketError.HostUnreachable);
        }
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static MeshState State()
    {
        static Workload Pod(string name, string ip, string sa) => new()
        {
            Uid = $"app/{name}", Name = name, Namespace = "app", ServiceAccount = sa, Node = "node1",
            Addresses = [IPAddress.Parse(ip)], Captured = true,
        };
        static Service Svc(string name, string vip, params string[] endpoints) => new()
        {
            Name = name, Namespace = "app", Addresses = [IPAddress.Parse(vip)], Ports = [new ServicePort(80, 8080)],
            Endpoints = [.. endpoints.Select(e => "app/" + e)],
        };
        return MeshState.Build(1,
            [Pod("echo-v1", "198.18.250.2", "echo"), Pod("echo-v2", "198.18.250.3", "echo"), Pod("dead", "198.18.250.4", "echo"),
             Pod("client", "198.18.250.10", "client")],
            [Svc("echo", "198.19.128.1", "echo-v1", "echo-v2"), Svc("echo-v1", "198.19.128.2", "echo-v1"),
             Svc("echo-v2", "198.19.128.3", "echo-v2"), Svc("with-dead", "198.19.128.4", "dead", "echo-v1"),
             Svc("dead-only", "198.19.128.5", "dead")],
            [new Mesh.Core.Model.Waypoint { Name = "waypoint", Namespace = "app", ServiceAccount = "waypoint" }], []);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _stop.CancelAsync();
        if (_app is not null)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stopping.Token);
            await _app.DisposeAsync();
        }
        await ClientHbone.DisposeAsync();
        if (_waypointHbone is not null)
        {
            await _waypointHbone.DisposeAsync();
        }
        foreach (var o in _owned)
        {
            await o.DisposeAsync();
        }
        Ca.Dispose();
    }
}
