using Mesh.Lab.Runtime;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// HTTP requests every 10 ms from a pod to a server pod's :8080 (a new connection each, so each goes through a fresh
/// mTLS handshake) until stopped: what a user's traffic looks like across a CA change. The count so far is readable
/// while it runs (<see cref="Sent"/>); <see cref="StopAsync"/> gives "requests N failed M" and the first failures.
/// </summary>
internal sealed class RequestLoop
{
    /// <summary>argv: host, stop file, progress file.</summary>
    public const string Script = """
        import http.client, os, sys, time
        host, stop, progress = sys.argv[1], sys.argv[2], sys.argv[3]
        sent = failed = 0
        errors = []
        while not os.path.exists(stop):
            t = time.monotonic()
            sent += 1
            try:
                c = http.client.HTTPConnection(host, 8080, timeout=5)
                c.request("GET", "/r%d" % sent)
                r = c.getresponse()
                r.read()
                c.close()
                if r.status != 200:
                    failed += 1
                    errors.append("%d: HTTP %d" % (sent, r.status))
            except Exception as e:
                failed += 1
                errors.append("%d: %r" % (sent, e))
            if sent % 20 == 0:
                with open(progress + ".tmp", "w") as f:
                    f.write("%d %d" % (sent, failed))
                os.replace(progress + ".tmp", progress)
            time.sleep(max(0, 0.01 - (time.monotonic() - t)))
        print("requests %d failed %d" % (sent, failed))
        for e in errors[:20]:
            print(e)
        """;

    private readonly string _stop;
    private readonly string _progress;
    private readonly Task<CommandResult> _run;

    private RequestLoop(string stop, string progress, Task<CommandResult> run)
    {
        _stop = stop;
        _progress = progress;
        _run = run;
    }

    public static async Task<RequestLoop> StartAsync(LabFixture lab, string fromPod, string toPod)
    {
        var dir = lab.State.StateDir;
        var script = Path.Combine(dir, "request-loop.py");
        var stop = Path.Combine(dir, "request-loop.stop");
        var progress = Path.Combine(dir, "request-loop.progress");
        await File.WriteAllTextAsync(script, Script);
        var run = Task.Run(() => lab.Lab.ExecInPodAsync(fromPod, ["/usr/bin/python3", script, lab.Pod(toPod).Ip, stop, progress], timeout: TimeSpan.FromMinutes(4)));
        return new RequestLoop(stop, progress, run);
    }

    /// <summary>Requests sent so far (in steps of 20); 0 before the first 20.</summary>
    public int Sent => File.Exists(_progress) && File.ReadAllText(_progress).Split(' ') is [var sent, _] && int.TryParse(sent, out var n) ? n : 0;

    /// <summary>True when the loop ended by itself (it failed to run).</summary>
    public bool Ended => _run.IsCompleted;

    /// <summary>Stops the loop; returns its summary line ("requests N failed M"), N, and everything it printed.</summary>
    public async Task<(string Summary, int Sent, string Output)> StopAsync()
    {
        await File.WriteAllTextAsync(_stop, "");
        var r = await _run;
        var output = r.Stdout + r.Stderr;
        var summary = r.Stdout.Trim().Split('\n')[0];
        var sent = summary.Split(' ') is ["requests", var n, "failed", _] && int.TryParse(n, out var v) ? v : 0;
        return (summary, sent, output);
    }
}
