using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mesh.ControlPlane;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Registry;
using Mesh.Core.CommandLine;
using Mesh.Core.Discovery;
using Mesh.Core.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Bench.Discovery;

/// <summary>
/// The discovery benchmark (<c>discovery-bench [--workloads 10000] [--clients 100]</c>): a real control plane (file registry, TLS, HTTP/2) on loopback with N workloads
/// on 100 nodes, and C proxies streaming the node view (one TLS connection each; lightweight readers that
/// note the version of every message). Measures the time for one registry change to reach every proxy
/// (from the file write, and from the registry publish) and the process memory. Not a test.
/// </summary>
internal static class DiscoveryBenchmark
{
    private const int Nodes = 100;

    private static readonly IReadOnlyList<Flag> Flags =
    [
        new("workloads", "workloads in the mesh") { HelpName = "N", Default = "10000" },
        new("clients", "discovery clients (proxies streaming the node view)") { HelpName = "N", Default = "100" },
    ];

    public static async Task<int> Main(string[] args)
    {
        var parse = FlagParser.Parse("discovery-bench", "the control plane's discovery benchmark", Flags, args, Environment.GetEnvironmentVariable);
        if (parse.Help is { } help)
        {
            Console.Write(help);
            return 0;
        }
        if (parse.Error is { } error || Count(parse.Values, "workloads") is not { } workloads || Count(parse.Values, "clients") is not { } clients)
        {
            Console.Error.WriteLine($"discovery-bench: {parse.Error ?? "--workloads and --clients are positive whole numbers"}");
            return 2;
        }
        var root = Directory.CreateTempSubdirectory("mesh-cp-bench-").FullName;
        try
        {
            return await RunInAsync(root, workloads, clients);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<int> RunInAsync(string root, int workloads, int clients)
    {
        var cluster = Directory.CreateDirectory(Path.Combine(root, "cluster")).FullName;
        WriteCluster(cluster, workloads);
        var tokens = Path.Combine(root, "tokens.json");
        await File.WriteAllTextAsync(tokens, JsonSerializer.Serialize(Enumerable.Range(0, Nodes).ToDictionary(i => $"node-{i}", i => $"token-{i}")));
        var options = new ControlPlaneOptions
        {
            Directory = cluster,
            StateDirectory = Path.Combine(root, "state"),
            NodeTokensFile = tokens,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Monitoring = new IPEndPoint(IPAddress.Loopback, 0),
        };
        var sw = Stopwatch.StartNew();
        await using var app = ControlPlaneHost.Build(options, l => l.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var discovery = app.Services.GetRequiredService<DiscoveryState>();
        var hub = app.Services.GetRequiredService<MeshStateHub>();
        while (discovery.Current is null)
        {
            await Task.Delay(10);
        }
        var startup = sw.Elapsed;
        var (heapIdle, rssIdle) = Memory();
        Console.WriteLine($"bench: {workloads} workloads, {workloads / 10} services on {Nodes} nodes; first version after {startup.TotalMilliseconds:F0} ms; " +
            $"{discovery.Current.Entries.Count} resources");
        Console.WriteLine($"bench: control plane alone: GC heap {heapIdle / 1048576.0:F1} MiB, RSS {rssIdle / 1048576.0:F1} MiB");

        var port = ControlPlaneHost.BoundPort(app, tls: true);
        var readers = Enumerable.Range(0, clients).Select(i => new BenchReader(new ControlPlaneClientOptions
        {
            Address = new Uri($"https://127.0.0.1:{port}"),
            TrustBundleFile = Path.Combine(options.StateDirectory, "ca", "trust-bundle.pem"),
            Token = $"token-{i % Nodes}",
        })).ToList();
        using var stop = new CancellationTokenSource();
        sw.Restart();
        var runs = readers.Select(r => r.RunAsync(stop.Token)).ToList();
        var first = discovery.Current.Version;
        await WaitAll(readers, first);
        Console.WriteLine($"bench: {clients} proxies connected and received the full state ({readers[0].Bytes / 1024.0:F0} KiB each) in {sw.Elapsed.TotalMilliseconds:F0} ms");
        var (heapConnected, rssConnected) = Memory();
        Console.WriteLine($"bench: with {clients} streams: GC heap {heapConnected / 1048576.0:F1} MiB, RSS {rssConnected / 1048576.0:F1} MiB " +
            "(same process as the bench readers: includes their TLS connections and buffers)");

        var fromWrite = new List<double>();
        var fromPublish = new List<double>();
        for (var round = 0; round < 7; round++)
        {
            var before = discovery.Current!.Version;
            var written = Stopwatch.GetTimestamp();
            await File.WriteAllTextAsync(Path.Combine(cluster, "change.yaml"), $"""
                apiVersion: v1
                kind: Pod
                metadata: {"{"} name: bench-change-{round}, namespace: bench, labels: {"{"} app: svc-0 {"}"} {"}"}
                spec: {"{"} nodeName: node-{round % Nodes}, serviceAccountName: sa-0 {"}"}
                status: {"{"} podIP: 10.200.0.{round + 1} {"}"}
                """);
            while (discovery.Current!.Version == before)
            {
                await Task.Delay(1);
            }
            var target = discovery.Current.Version;
            var published = discovery.Current.PublishedAtTimestamp;
            await WaitAll(readers, target);
            var done = readers.Max(r => r.ReceivedAt(target));
            fromWrite.Add(Stopwatch.GetElapsedTime(written, done).TotalMilliseconds);
            fromPublish.Add(Stopwatch.GetElapsedTime(published, done).TotalMilliseconds);
        }
        fromWrite.Sort();
        fromPublish.Sort();
        Console.WriteLine($"bench: one change (a pod added to a service) to all {clients} proxies, {fromWrite.Count} rounds: " +
            $"from the file write median {fromWrite[fromWrite.Count / 2]:F1} ms (max {fromWrite[^1]:F1}); " +
            $"from the registry publish median {fromPublish[fromPublish.Count / 2]:F1} ms (max {fromPublish[^1]:F1})");
        var (heapAfter, rssAfter) = Memory();
        Console.WriteLine($"bench: after the changes: GC heap {heapAfter / 1048576.0:F1} MiB, RSS {rssAfter / 1048576.0:F1} MiB");
        await stop.CancelAsync();
        await Task.WhenAll(runs);
        readers.ForEach(r => r.Dispose());
        await app.StopAsync();
        return 0;
    }

    private static int? Count(IReadOnlyDictionary<string, string> values, string flag) =>
        int.TryParse(values.TryGetValue(flag, out var given) ? given : Flags.First(f => f.Name == flag).Default, System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static (long Heap, long Rss) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var p = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(false), p.WorkingSet64);
    }

    private static async Task WaitAll(List<BenchReader> readers, long version)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (readers.Any(r => r.Version < version))
        {
            await Task.Delay(1, deadline.Token);
        }
    }

    private static void WriteCluster(string dir, int workloads)
    {
        var sb = new StringBuilder();
        sb.Append("apiVersion: v1\nkind: Namespace\nmetadata: { name: bench, labels: { mesh.dev/dataplane-mode: ambient } }\n");
        for (var i = 0; i < workloads; i++)
        {
            var svc = i / 10;
            sb.Append($"---\napiVersion: v1\nkind: Pod\nmetadata: {{ name: pod-{i}, namespace: bench, uid: uid-{i}, labels: {{ app: svc-{svc}, version: v1 }} }}\n")
              .Append($"spec: {{ nodeName: node-{i % Nodes}, serviceAccountName: sa-{svc % 50} }}\nstatus: {{ podIP: 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255} }}\n");
            if (i % 10 == 0)
            {
                sb.Append($"---\napiVersion: v1\nkind: Service\nmetadata: {{ name: svc-{svc}, namespace: bench }}\n")
                  .Append($"spec: {{ clusterIP: 10.96.{(svc >> 8) & 255}.{svc & 255}, selector: {{ app: svc-{svc} }}, ports: [ {{ port: 80, targetPort: 8080 }} ] }}\n");
            }
            if (i % 1000 == 999 || i == workloads - 1)
            {
                File.WriteAllText(Path.Combine(dir, $"part-{i / 1000}.yaml"), sb.ToString());
                sb.Clear();
            }
        }
    }

    /// <summary>A proxy stand-in: one TLS HTTP/2 stream, records the version of each message and when it arrived.</summary>
    private sealed class BenchReader(ControlPlaneClientOptions options) : IDisposable
    {
        private readonly HttpClient _http = ControlPlaneHttp.CreateClient(options);
        private readonly Dictionary<long, long> _arrivals = [];
        private long _version;

        public long Version => Interlocked.Read(ref _version);
        public long Bytes { get; private set; }

        public long ReceivedAt(long version)
        {
            lock (_arrivals)
            {
                return _arrivals[version];
            }
        }

        public async Task RunAsync(CancellationToken ct)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, DiscoveryWire.StreamPath)
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                    Content = new StringContent("{}", Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                var reader = PipeReader.Create(await response.Content.ReadAsStreamAsync(ct));
                while (true)
                {
                    var result = await reader.ReadAsync(ct);
                    var buffer = result.Buffer;
                    while (buffer.PositionOf((byte)'\n') is { } end)
                    {
                        var line = buffer.Slice(0, end);
                        if (Bytes == 0)
                        {
                            Bytes = line.Length;
                        }
                        var version = ReadVersion(line);
                        lock (_arrivals)
                        {
                            _arrivals[version] = Stopwatch.GetTimestamp();
                        }
                        Interlocked.Exchange(ref _version, version);
                        buffer = buffer.Slice(buffer.GetPosition(1, end));
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private static long ReadVersion(System.Buffers.ReadOnlySequence<byte> line)
        {
            var reader = new Utf8JsonReader(line);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("version"u8))
                {
                    reader.Read();
                    return reader.GetInt64();
                }
            }
            return -1;
        }

        public void Dispose() => _http.Dispose();
    }
}
