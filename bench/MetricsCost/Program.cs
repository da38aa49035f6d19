using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Mesh.Core.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

// What ztunnel records per connection: one counter increment with Istio's TCP labels, spread over `series` label
// sets (one label varies). Per event: median ns and allocated bytes over rounds of `events`; per scrape: ms and
// allocated bytes for the whole exposition of `series` series, and its size.
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

// 1. Ours: System.Diagnostics.Metrics + core PrometheusCollector (a MeterListener).
using (var meter = new Meter("bench.ours"))
using (var collector = new PrometheusCollector("bench.ours"))
{
    var counter = meter.CreateCounter<long>("istio_tcp_connections_opened");
    var (ns, bytes) = PerEvent(i => counter.Add(1, tags[i % series]));
    var (ms, scrapeBytes, size) = PerScrape(() => collector.CollectUtf8().Length);
    Row("ours (Meter + PrometheusCollector)", ns, bytes, ms, scrapeBytes, size);
}

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
