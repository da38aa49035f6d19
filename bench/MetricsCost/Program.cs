using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Mesh.Core.Identity;
using Mesh.Core.Metrics;
using Mesh.Core.Model;
using Mesh.Ztunnel.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

// What ztunnel records per connection: one counter increment with Istio's TCP labels, spread over `series` label
// sets (one label varies), in prometheus-net and in OpenTelemetry; then ztunnel's own path (ztunnel TcpMetrics on
// prometheus-net since issue 16): one connection opened, bytes both ways, closed. Per event: median ns and allocated
// bytes over rounds of `events`; per scrape: ms and allocated bytes for the whole exposition, and its size.
// (Our former Meter + PrometheusCollector row of bench/results/metrics-cost-20261201.md is gone with that collector.)
var series = Arg(0, 1000);
var events = Arg(1, 1_000_000);
var port = Arg(2, 19464);
const int Rounds = 5;
string[] names =
[
    "reporter", "source_workload", "source_workload_namespace", "source_principal", "source_app", "source_version",
    "source_cluster", "destination_service", "destination_service_name", "destination_service_namespace",
    "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app",
    "destination_version", "destination_cluster", "request_protocol", "response_flags", "connection_security_policy",
];
string[][] values = Enumerable.Range(0, series).Select(s => names.Select(n => n == "destination_workload" ? $"w{s}" : $"{n}-value").ToArray()).ToArray();
KeyValuePair<string, object?>[][] tags = values.Select(v => names.Zip(v, (n, x) => new KeyValuePair<string, object?>(n, x)).ToArray()).ToArray();

Console.WriteLine($"| library | ns per event | bytes per event | ms per scrape | bytes allocated per scrape | exposition bytes |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");

// 2. prometheus-net: its own registry; label values passed per event as ztunnel would build them.
{
    var registry = Prometheus.Metrics.NewCustomRegistry();
    var factory = Prometheus.Metrics.WithCustomRegistry(registry);
    var counter = factory.CreateCounter("istio_tcp_connections_opened_total", "opened", names);
    var (ns, bytes) = PerEvent(i => counter.WithLabels(values[i % series]).Inc());
    var (ms, scrapeBytes, size) = PerScrape(() =>
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return (int)stream.Length;
    });
    Row("prometheus-net 8.2.1", ns, bytes, ms, scrapeBytes, size);
}

// 3. OpenTelemetry SDK + its Prometheus exporter (HttpListener on loopback; the scrape includes one HTTP GET).
using (var meter = new Meter("bench.otel"))
using (var provider = Sdk.CreateMeterProviderBuilder().AddMeter("bench.otel")
           .AddPrometheusHttpListener(o =>
           {
               o.Host = "127.0.0.1";
               o.Port = port;
               o.ScrapeResponseCacheDurationMilliseconds = 0; // every scrape renders (its default caches 300 ms)
           }).Build())
using (var http = new HttpClient())
{
    var counter = meter.CreateCounter<long>("istio_tcp_connections_opened");
    var (ns, bytes) = PerEvent(i => counter.Add(1, tags[i % series]));
    var (ms, scrapeBytes, size) = PerScrape(() => http.GetByteArrayAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult().Length);
    Row("OpenTelemetry 1.20.1 + Prometheus exporter", ns, bytes, ms, scrapeBytes, size);
}

// 4. ztunnel TcpMetrics: a connection resolves its four series once (Open), counts bytes, and closes; labels built
//    once per destination workload beforehand (as a connection builds them once), then the same including that build.
{
    var tcp = new TcpMetrics();
    var source = new Workload { Uid = "app/client", Name = "client", Namespace = "app", Node = "node1" };
    Workload Destination(int s) => new() { Uid = $"app/w{s}", Name = $"w{s}", Namespace = "app", Node = "node1" };
    var peer = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");
    var destinations = Enumerable.Range(0, series).Select(Destination).ToArray();
    var labels = destinations.Select(d => TcpMetricLabels.ForInbound(d, peer, source, mutualTls: true)).ToArray();
    void Connection(TcpMetricLabels l)
    {
        using var c = tcp.Open(l);
        c.AddRequestBytes(100);
        c.AddResponseBytes(1000);
    }
    var (ns, bytes) = PerEvent(i => Connection(labels[i % series]));
    var (labelNs, labelBytes) = PerEvent(i => Connection(TcpMetricLabels.ForInbound(destinations[i % series], peer, source, mutualTls: true)));
    var (ms, scrapeBytes, size) = PerScrape(() => tcp.Registry.CollectUtf8Async().GetAwaiter().GetResult().Length);
    Row("ztunnel TcpMetrics: one connection (4 counters)", ns, bytes, ms, scrapeBytes, size);
    Row("ztunnel TcpMetrics: one connection incl. its labels", labelNs, labelBytes, ms, scrapeBytes, size);
}

(double Ns, double Bytes) PerEvent(Action<int> record)
{
    for (var i = 0; i < series * 10; i++)
    {
        record(i);
    }
    var ns = new List<double>();
    var bytes = new List<double>();
    for (var r = 0; r < Rounds; r++)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < events; i++)
        {
            record(i);
        }
        ns.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / events);
        bytes.Add((GC.GetAllocatedBytesForCurrentThread() - before) / (double)events);
    }
    return (Median(ns), Median(bytes));
}

(double Ms, double Bytes, int Size) PerScrape(Func<int> scrape)
{
    var size = scrape();
    var ms = new List<double>();
    var bytes = new List<double>();
    for (var r = 0; r < Rounds * 4; r++)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        size = scrape();
        ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        bytes.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
    }
    return (Median(ms), Median(bytes), size);
}

static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

static void Row(string name, double ns, double bytes, double ms, double scrapeBytes, int size) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {ns:0} | {bytes:0} | {ms:0.00} | {scrapeBytes:0} | {size} |"));

int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
