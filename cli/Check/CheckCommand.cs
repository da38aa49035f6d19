using System.CommandLine;
using System.Text.Json;
using Mesh.Native;

namespace Mesh.Cli.Check;

/// <summary>
/// <c>meshctl check [--control-plane http://IP:15014]</c>: whether this machine can run eBPF capture (the same checks
/// ztunnel runs at start) and, given the control plane's monitoring address, its trust anchors, their expiry and the
/// rotation phase (<see cref="TrustCheck"/>). One line per check, with what to do when it fails; exit 1 when any fails.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var controlPlane = new Option<string?>("--control-plane")
        {
            Description = "the control plane's monitoring address (e.g. http://198.19.0.1:15014): also check the trust anchors and the root rotation",
        };
        var cmd = new Command("check", "check the kernel and machine for what eBPF capture needs (bpf, BTF, cgroup v2, capabilities, TCX/clsact, sk_assign, libbpf) " +
            "and, with --control-plane, the mesh's trust anchors") { controlPlane };
        cmd.SetAction(parse => Run(Console.Out, parse.GetValue(controlPlane)));
        return cmd;
    }

    public static int Run(TextWriter output, string? controlPlane = null)
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
        var trustOk = controlPlane is null || RunTrust(output, controlPlane);
        return failed == 0 && trustOk ? 0 : 1;
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
