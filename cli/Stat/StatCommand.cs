using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Cli.Cluster;
using Mesh.Cli.Terminal;
using Mesh.Core;
using Mesh.Core.Text;
using Mesh.Lab.Planning;
using Mesh.Lab.Runtime;
using Spectre.Console;

namespace Mesh.Cli.Stat;

/// <summary>
/// <c>meshctl stat [workload|route] [-n NS] [--interval 5s] [-o table|json] [--prometheus URL] [--lab NAME |
/// --kubeconfig F]</c> and <c>meshctl top</c> (the same table refreshed every interval until Ctrl-C; once when stdout is
/// not a terminal). The numbers come from the proxies' own 15020 endpoints, found from the lab's state or through the
/// API (<see cref="LabTargets"/>, <see cref="KubeTargets"/>), or from a Prometheus server's PromQL.
/// </summary>
internal static class StatCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Command Create(bool top)
    {
        var resource = new Argument<string>("RESOURCE") { Description = "workload (default) or route", DefaultValueFactory = _ => "workload" };
        resource.AcceptOnlyFromAmong("workload", "workloads", "route", "routes");
        var ns = new Option<string?>("--namespace", "-n") { Description = "only rows of this namespace (the destination's)" };
        var interval = new Option<string?>("--interval", "-i")
        {
            Description = top ? "refresh every (default 2s; 1m with --prometheus)" : "measure over (default 5s; the query window with --prometheus, default 1m)",
        };
        var output = new Option<string>("--output", "-o") { Description = "table or json", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var prometheus = new Option<string?>("--prometheus") { Description = "ask this Prometheus server (http://host:9090) instead of the proxies" };
        var lab = new Option<string?>("--lab") { Description = "the lab to measure (default: the one running)", HelpName = "LAB" };
        var meshNamespace = new Option<string>("--mesh-namespace") { Description = "the mesh's namespace on Kubernetes", DefaultValueFactory = _ => MeshLabels.RootNamespace };
        var cluster = new ClusterOptions();
        var cmd = new Command(top ? "top" : "stat", top
            ? "live per-workload (or per-route) success rate, requests/s and latency, refreshed until Ctrl-C"
            : "per-workload (or per-route) success rate, requests/s, p50/p95/p99 latency and TCP connections")
        {
            resource, ns, interval, output, prometheus, lab, meshNamespace,
        };
        cluster.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            var by = parse.GetValue(resource)!.StartsWith("route", StringComparison.Ordinal) ? StatGrouping.Route : StatGrouping.Workload;
            var prom = parse.GetValue(prometheus);
            var every = Interval(parse.GetValue(interval), top ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(5), prom is not null);
            var (kubeconfig, context) = cluster.Values(parse);
            using var source = await OpenAsync(prom, parse.GetValue(lab), kubeconfig, context, parse.GetValue(meshNamespace)!,
                parse.GetValue(ns), every, by, ct);
            var json = parse.GetValue(output) == "json";
            return top
                ? await TopAsync(source, by, json, ct)
                : Print(await source.NextAsync(ct), by, json);
        });
        return cmd;
    }

    private static TimeSpan Interval(string? text, TimeSpan fallback, bool prometheus)
    {
        if (text is null)
        {
            return prometheus ? TimeSpan.FromMinutes(1) : fallback;
        }
        if (!DurationText.TryParse(text, out var value) || value < TimeSpan.FromMilliseconds(100))
        {
            throw new UsageException($"--interval '{text}' is not a duration of at least 100ms; write it like 5s, 500ms or 1m");
        }
        return value;
    }

    private static async Task<IStatSource> OpenAsync(string? prometheus, string? labName, string? kubeconfig, string? context,
        string meshNamespace, string? ns, TimeSpan interval, StatGrouping by, CancellationToken ct)
    {
        if (prometheus is not null)
        {
            if (!Uri.TryCreate(prometheus.EndsWith('/') ? prometheus : prometheus + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--prometheus '{prometheus}' is not an http(s) URL; give the server's address, e.g. http://127.0.0.1:9090");
            }
            return new PrometheusStatSource(new PrometheusClient(url), interval, by, ns);
        }
        var env = LabEnvironment.Detect();
        var explicitCluster = kubeconfig is not null || context is not null;
        var labs = labName is not null ? [labName] : explicitCluster ? [] : Mesh.Lab.Runtime.Lab.List(env);
        if (labs.Count > 1)
        {
            throw new UsageException($"several labs run ({string.Join(", ", labs)}); pick one with --lab");
        }
        if (labs.Count == 1)
        {
            var state = LabStateStore.TryRead(Path.Combine(env.StateRoot, labs[0]))
                ?? throw new UsageException($"no lab '{labs[0]}' is running; see meshctl lab status");
            if (ns is not null && !LabTargets.Namespaces(state).Contains(ns))
            {
                throw new UsageException($"namespace '{ns}' is not in lab '{state.Name}' (it has {string.Join(", ", LabTargets.Namespaces(state).Order(StringComparer.Ordinal))})");
            }
            return new ScrapeStatSource(LabTargets.From(state), new MetricsScraper(), interval, by, ns, Console.Error);
        }
        if (!explicitCluster && !ClusterOptions.AnyConfigured(kubeconfig, context))
        {
            throw new UsageException("no lab is running and no cluster is configured; start a lab (meshctl lab up -f FILE), pass --kubeconfig, or --prometheus URL");
        }
        var client = ClusterOptions.Connect(kubeconfig, context);
        try
        {
            if (ns is not null)
            {
                await KubeTargets.CheckNamespaceAsync(client, ns, ct);
            }
            var targets = await KubeTargets.FindAsync(client, meshNamespace, ct);
            return new ScrapeStatSource(targets, new MetricsScraper(client), interval, by, ns, Console.Error);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static int Print(StatResult result, StatGrouping by, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new { by, intervalSeconds = result.Interval.TotalSeconds, rows = result.Rows }, Json));
        }
        else
        {
            StatTable.Write(Console.Out, StatTable.Build(result.Rows, by, result.Interval), !Console.IsOutputRedirected);
        }
        return 0;
    }

    /// <summary>Redraws the table in place after every interval until Ctrl-C; prints one measurement when stdout is not a terminal (or with json).</summary>
    private static async Task<int> TopAsync(IStatSource source, StatGrouping by, bool json, CancellationToken ct)
    {
        if (json || Console.IsOutputRedirected)
        {
            return Print(await source.NextAsync(ct), by, json);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var first = await source.NextAsync(stop.Token);
            await AnsiConsole.Live(StatTable.Build(first.Rows, by, first.Interval)).AutoClear(false).StartAsync(async live =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var next = await source.NextAsync(stop.Token);
                    live.UpdateTarget(StatTable.Build(next.Rows, by, next.Interval));
                }
            });
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested)
        {
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        return 0;
    }
}
