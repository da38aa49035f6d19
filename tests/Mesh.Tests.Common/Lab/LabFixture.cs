using System.Security.Cryptography;
using Mesh.Lab.Launch;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;
using Mesh.Lab.Planning;
using Mesh.Lab.Runtime;

namespace Mesh.Tests.Common.Lab;

/// <summary>
/// A lab cluster for one test: a unique name (t + 7 random characters), always torn down on dispose.
/// <code>
/// await using var lab = await LabFixture.StartAsync(yaml);
/// await lab.WaitForListenerAsync("server", 8080);
/// var r = await lab.CurlAsync("client", "http://198.18.2.2:8080/");
/// </code>
/// In the YAML, <c>{{echo}}</c> becomes the echo sample's path, <c>{{waypoint}}</c> the waypoint's and <c>{{repo}}</c> the repository root.
/// </summary>
public sealed class LabFixture : IAsyncDisposable
{
    private LabFixture(Mesh.Lab.Runtime.Lab lab, LabPlan plan)
    {
        Lab = lab;
        Plan = plan;
    }

    public Mesh.Lab.Runtime.Lab Lab { get; }
    public LabPlan Plan { get; }
    public string Name => Plan.Name;
    public LabState State => Lab.Status;

    public static string NewName() =>
        "t" + string.Concat(RandomNumberGenerator.GetItems<char>("abcdefghijklmnopqrstuvwxyz0123456789", 7));

    /// <summary>Parses <paramref name="yaml"/>, plans it under a fresh name and brings it up.</summary>
    public static async Task<LabFixture> StartAsync(string yaml, CancellationToken ct = default)
    {
        var text = yaml.Replace("{{echo}}", RepoPaths.Echo, StringComparison.Ordinal)
                       .Replace("{{waypoint}}", RepoPaths.Waypoint, StringComparison.Ordinal)
                       .Replace("{{repo}}", RepoPaths.Root, StringComparison.Ordinal);
        var file = LabFileParser.Parse(text, "test-lab.yaml", RepoPaths.Root);
        var plan = LabPlanner.Plan(file, NewName(), LabEnvironment.Detect());
        var lab = await Mesh.Lab.Runtime.Lab.UpAsync(plan, ct);
        return new LabFixture(lab, plan);
    }

    /// <summary>Starts the mesh on the lab: the control plane in the fabric and a ztunnel per node (waits until ready).</summary>
    /// <param name="externalControlPlane">Starts the control plane elsewhere with the lab's arguments (see <see cref="LabMesh.StartAsync"/>).</param>
    public Task StartMeshAsync(TimeSpan? certTtl = null, TimeSpan? drainTimeout = null, LabRootRotation? rootRotation = null,
        IReadOnlyList<string>? controlPlaneArgs = null, Func<IReadOnlyList<string>, CancellationToken, Task>? externalControlPlane = null,
        IReadOnlyList<string>? ztunnelArgs = null, CancellationToken ct = default) =>
        LabMesh.StartAsync(Lab, MeshBinaries.Locate(), TimeSpan.FromSeconds(90), certTtl, drainTimeout, rootRotation, controlPlaneArgs, externalControlPlane,
            ztunnelArgs, ct);

    /// <summary>Waits until the pod's cgroup has the capture programs attached (ztunnel enrolled it).</summary>
    public Task WaitForCaptureAsync(string pod, bool captured = true, TimeSpan? timeout = null) =>
        WaitUntilAsync(async () =>
        {
            var r = await Mesh.Lab.Runtime.Shell.RunAsync("bpftool", ["cgroup", "show", Pod(pod).CgroupPath], null, TimeSpan.FromSeconds(10));
            return r.Stdout.Contains("connect4", StringComparison.Ordinal) == captured;
        }, timeout ?? TimeSpan.FromSeconds(30), $"pod {pod} was {(captured ? "not captured" : "still captured")}; ztunnel logs: {ZtunnelLogs()}");

    /// <summary>The logs of every ztunnel of the lab.</summary>
    public string ZtunnelLogs() => string.Join("\n", State.Nodes.Select(n => ProcessLog(LabMesh.ZtunnelLog(n.Name))));

    /// <summary>The log of a lab process (ztunnel-node1, controlplane).</summary>
    public string ProcessLog(string name)
    {
        var path = Path.Combine(State.LogDir, name + ".log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(failure);
            }
            await Task.Delay(100);
        }
    }

    /// <summary>As above, with the failure text made when the wait fails (so logs in it are the logs at that moment).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(failure());
            }
            await Task.Delay(100);
        }
    }

    public PodState Pod(string name, string? ns = null) => Lab.Pod(name, ns);

    public Task<CommandResult> ExecAsync(string pod, params string[] argv) => Lab.ExecInPodAsync(pod, argv);

    /// <summary>curl from a pod (-sS, 10 s limit); extra arguments go before the URL.</summary>
    public Task<CommandResult> CurlAsync(string fromPod, string url, params string[] extra) =>
        Lab.ExecInPodAsync(fromPod, ["curl", "-sS", "-m", "10", .. extra, url]);

    /// <summary>Waits until something listens on TCP <paramref name="port"/> inside the pod (checked with ss).</summary>
    public async Task WaitForListenerAsync(string pod, int port, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var r = await Lab.ExecInPodAsync(pod, ["ss", "-Hltn", $"sport = :{port}"]);
            if (r.Ok && r.Stdout.Contains("LISTEN", StringComparison.Ordinal))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                var log = File.Exists(Pod(pod).LogPath) ? File.ReadAllText(Pod(pod).LogPath) : "(no log)";
                throw new TimeoutException($"nothing listens on {pod}:{port} after {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s; pod log: {log}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The pod's log so far.</summary>
    public string Log(string pod) => File.Exists(Pod(pod).LogPath) ? File.ReadAllText(Pod(pod).LogPath) : "";

    /// <summary>
    /// Waits until <paramref name="pod"/>'s log contains <paramref name="text"/>: a process's console logger writes
    /// from its own thread, so a line can land after the response that caused it. Fails with the log.
    /// </summary>
    public async Task WaitForLogAsync(string pod, string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!Log(pod).Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' never appeared in the log of {pod}:\n{Log(pod)}");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync() => await Mesh.Lab.Runtime.Lab.DownAsync(Plan.Environment, Plan.Name);
}
