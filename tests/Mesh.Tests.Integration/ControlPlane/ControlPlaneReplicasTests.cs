using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mesh.ControlPlane;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Core.Metrics;
using Mesh.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// Two real control plane hosts (Kestrel on loopback, Kubernetes registry, leader election, waypoint controller) against
/// one stand-in API server (<see cref="FakeKubeApiServer"/>; kube-apiserver cannot run on this machine), each with its
/// own client certificate so the stand-in's request log names the writer.
/// </summary>
public sealed class ControlPlaneReplicasTests : IAsyncLifetime
{
    private static readonly string Gateways = KubeResource.Gateways.CollectionPath;
    private readonly string _root = Directory.CreateTempSubdirectory("cp-replicas-").FullName;
    private readonly Dictionary<string, WebApplication> _apps = [];
    private readonly StringBuilder _logs = new();
    private FakeKubeApiServer _kube = null!;

    public async Task InitializeAsync()
    {
        _kube = await FakeKubeApiServer.StartAsync("unused-token");
        foreach (var name in new[] { "cp-a", "cp-b" })
        {
            var (cert, key) = _kube.Certificates.IssueClient(name);
            var kubeconfig = Path.Combine(_root, $"{name}.kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, $$"""
                apiVersion: v1
                kind: Config
                current-context: fake
                contexts: [ { name: fake, context: { cluster: fake, user: {{name}} } } ]
                clusters: [ { name: fake, cluster: { server: "{{_kube.Url}}", certificate-authority-data: {{B64(_kube.Certificates.CaPem)}} } } ]
                users: [ { name: {{name}}, user: { client-certificate-data: {{B64(cert)}}, client-key-data: {{B64(key)}} } } ]
                """);
            var app = ControlPlaneHost.Build(new ControlPlaneOptions
            {
                Registry = "kubernetes",
                Kubeconfig = kubeconfig,
                StateDirectory = Path.Combine(_root, name),
                Listen = new IPEndPoint(IPAddress.Loopback, 0),
                Monitoring = new IPEndPoint(IPAddress.Loopback, 0),
                LeaderLease = TimeSpan.FromSeconds(3),
            }, l => l.SetMinimumLevel(LogLevel.Information).AddProvider(new StringLoggerProvider(_logs, name)));
            await app.StartAsync();
            _apps[name] = app;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps.Values)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await _kube.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static string B64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    private string? Holder() => (string?)_kube.Get("/apis/coordination.k8s.io/v1/leases", "mesh-system", "mesh-controlplane")?["spec"]?["holderIdentity"];

    private HashSet<string?> Writers(int from) =>
        [.. _kube.Requests.Skip(from).Where(r => r.Method is "PATCH" or "POST" or "PUT" or "DELETE" && !r.Path.Contains("/leases", StringComparison.Ordinal)
            && r.Path != FakeKubeApiServer.TokenReviewPath).Select(r => r.User)];

    private static async Task<(int Status, string Body)> GetAsync(WebApplication app, string path)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"http://127.0.0.1:{ControlPlaneHost.BoundPort(app, tls: false)}{path}");
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private void AddGateway(string name) => _kube.Upsert(Gateways, new JsonObject
    {
        ["apiVersion"] = "gateway.networking.k8s.io/v1",
        ["kind"] = "Gateway",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "apps", ["uid"] = $"uid-{name}", ["generation"] = 1L },
        ["spec"] = new JsonObject { ["gatewayClassName"] = "mesh-waypoint" },
    });

    private bool IsProgrammed(string name) =>
        (_kube.Get(Gateways, "apps", name)?["status"]?["conditions"] as JsonArray ?? []).Any(c => (string?)c?["type"] == "Programmed" && (string?)c?["status"] == "True");

    private async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 20 s: {what}\ncontrol plane logs:\n{_logs}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task TwoReplicas_LeaderWritesBothServe_FollowerTakesOverWhenTheLeaderStops()
    {
        await WaitForAsync(() => Holder() is { Length: > 0 }, "a leader");
        AddGateway("waypoint");
        await WaitForAsync(() => IsProgrammed("waypoint"), "Gateway apps/waypoint Programmed");

        var leading = new List<string>();
        foreach (var name in _apps.Keys)
        {
            if (await LeadsPerStatusAsync(name))
            {
                leading.Add(name);
            }
        }
        var leader = Assert.Single(leading);
        var follower = _apps.Keys.Single(k => k != leader);
        Assert.Equal([leader], Writers(0));
        foreach (var app in _apps.Values)
        {
            Assert.Equal(200, (await GetAsync(app, "/healthz/ready")).Status); // every replica serves the CA and discovery
        }
        // Each host has its own registry, so each /metrics shows its own gauge.
        Assert.Equal((1.0, 0.0), (await ScrapeAsync(leader, "mesh_controlplane_leader"), await ScrapeAsync(follower, "mesh_controlplane_leader")));
        // The follower counts the leader once it has read the Lease (its next retry period, later under load).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        double changes;
        while ((changes = await ScrapeAsync(follower, "mesh_controlplane_leader_changes_total")) < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.True(changes >= 1, $"the follower's mesh_controlplane_leader_changes_total is {changes}");
        Assert.Contains("Leader of mesh-system/mesh-controlplane is now", _logs.ToString());

        var from = _kube.Requests.Count;
        await _apps[leader].StopAsync();
        AddGateway("second");
        await WaitForAsync(() => IsProgrammed("second"), "Gateway apps/second Programmed by the follower");

        Assert.Equal([follower], Writers(from));
        Assert.True(await LeadsPerStatusAsync(follower));
        Assert.Equal(1, await ScrapeAsync(follower, "mesh_controlplane_leader"));
    }

    /// <summary>/debug/status says whether this replica holds the Lease.</summary>
    private async Task<bool> LeadsPerStatusAsync(string name) =>
        (bool?)JsonNode.Parse((await GetAsync(_apps[name], "/debug/status")).Body)?["leading"] == true;

    /// <summary>The value of <paramref name="metric"/> in this replica's /metrics.</summary>
    private async Task<double> ScrapeAsync(string name, string metric) =>
        PrometheusSample.Sum(PrometheusTextReader.Parse((await GetAsync(_apps[name], "/metrics")).Body), metric, new Dictionary<string, string>());

    private sealed class StringLoggerProvider(StringBuilder sink, string prefix) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(sink, prefix);

        public void Dispose()
        {
        }

        private sealed class Logger(StringBuilder sink, string prefix) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (sink)
                {
                    sink.Append(prefix).Append(": ").Append(eventId.Id).Append(' ').AppendLine(formatter(state, exception));
                }
            }
        }
    }
}
