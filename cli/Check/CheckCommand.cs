using System.CommandLine;
using System.Text.Json;
using k8s;
using Mesh.Cli.Cluster;
using Mesh.Core;
using Mesh.Native.Check;

namespace Mesh.Cli.Check;

/// <summary>
/// <c>meshctl check</c>: whether this machine can run eBPF capture (the same checks ztunnel runs at
/// start), and, when a cluster is configured, the cluster's prerequisites and the installed mesh
/// (<see cref="ClusterChecks"/>) plus this node's CNI configuration. <c>--pre</c>: before install (a cluster is
/// required). <c>--control-plane http://IP:15014</c>: also the mesh's trust anchors, their expiry and the root rotation
/// phase (<see cref="TrustCheck"/>). One line per check, with what to do when it fails; exit 1 when any fails.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var pre = new Option<bool>("--pre") { Description = "check the cluster before installing: Kubernetes version, Gateway API CRDs, node kernels, this node's CNI" };
        var clusterOnly = new Option<bool>("--cluster-only") { Description = "skip this machine's eBPF capture checks" };
        var ns = new Option<string>("--namespace", "-n") { Description = "the mesh's namespace", DefaultValueFactory = _ => MeshLabels.RootNamespace };
        var confDir = new Option<string>("--cni-conf-dir") { Description = "this node's CNI conf folder", DefaultValueFactory = _ => "/etc/cni/net.d" };
        var controlPlane = new Option<string?>("--control-plane")
        {
            Description = "the control plane's monitoring address (e.g. http://198.19.0.1:15014): also check the trust anchors and the root rotation",
        };
        var cluster = new ClusterOptions();
        var cmd = new Command("check", "check this machine for what eBPF capture needs (bpf, BTF, cgroup v2, capabilities, TCX/clsact, sk_assign, libbpf) " +
            "and, with a kubeconfig, the cluster and the installed mesh; with --control-plane, the mesh's trust anchors") { pre, clusterOnly, ns, confDir, controlPlane };
        cluster.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            var exit = parse.GetValue(clusterOnly) ? 0 : Run(Console.Out);
            if (parse.GetValue(controlPlane) is { } address && !RunTrust(Console.Out, address))
            {
                exit = 1;
            }
            var (kubeconfig, context) = cluster.Values(parse);
            if (!parse.GetValue(pre) && !ClusterOptions.AnyConfigured(kubeconfig, context))
            {
                Console.Out.WriteLine("cluster: skipped (no kubeconfig; pass --kubeconfig FILE or set KUBECONFIG to check the cluster)");
                return exit;
            }
            using var client = ClusterOptions.Connect(kubeconfig, context);
            return Math.Max(exit, await RunClusterAsync(client, parse.GetValue(pre), parse.GetRequiredValue(ns), parse.GetRequiredValue(confDir), Console.Out, !Console.IsOutputRedirected, ct));
        });
        return cmd;
    }

    /// <summary>The cluster's checks and this node's CNI as one table, then one summary line; 1 when any failed.</summary>
    public static async Task<int> RunClusterAsync(IKubernetes client, bool pre, string ns, string cniConfDir, TextWriter output, bool terminal, CancellationToken ct)
    {
        var lines = await ClusterChecks.RunAsync(client, pre, ns, ct);
        lines.Add(Prerequisites.Cni(cniConfDir));
        CheckTable.Write(output, lines, terminal);
        var failed = lines.Count(l => l.Status == CheckStatus.Fail);
        output.WriteLine(failed == 0
            ? pre ? "cluster: ready for the mesh (next: meshctl install)" : "cluster: the mesh is installed and ready (next: meshctl enroll NAMESPACE)"
            : $"cluster: {failed} check(s) failed; fix them{(pre ? " before installing" : "")}");
        return failed == 0 ? 0 : 1;
    }

    public static int Run(TextWriter output)
    {
        var results = CaptureChecker.Run();
        foreach (var result in results)
        {
            output.WriteLine(result.ToString());
        }
        var failed = results.Count(r => !r.Ok);
        output.WriteLine(failed == 0
            ? "capture: this machine can run ztunnel's eBPF capture"
            : $"capture: {failed} check(s) failed; fix them before running ztunnel");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The trust checks against <paramref name="controlPlane"/>'s /debug/status.</summary>
    public static bool RunTrust(TextWriter output, string controlPlane)
    {
        if (!Uri.TryCreate(controlPlane, UriKind.Absolute, out var baseUri) || baseUri.Scheme != Uri.UriSchemeHttp)
        {
            output.WriteLine($"FAIL  trust: --control-plane '{controlPlane}' is not an http:// address -> pass the monitoring port, e.g. http://198.19.0.1:15014");
            return false;
        }
        var url = new Uri(baseUri, "/debug/status");
        string body;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            body = http.GetStringAsync(url).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            output.WriteLine($"FAIL  trust: cannot read {url}: {e.Message} -> is the control plane running, and is this its monitoring port (15014)?");
            return false;
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            var (lines, ok) = TrustCheck.Assess(doc.RootElement, DateTimeOffset.UtcNow);
            foreach (var line in lines)
            {
                output.WriteLine(line);
            }
            return ok;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            output.WriteLine($"FAIL  trust: {url} is not the control plane's status ({e.Message}) -> pass the control plane's monitoring address");
            return false;
        }
    }
}
