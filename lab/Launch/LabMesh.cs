using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Mesh.Lab.Model;
using Mesh.Lab.Planning;
using Mesh.Lab.Runtime;

namespace Mesh.Lab.Launch;

/// <summary>
/// Starts the mesh on a lab: the control plane in the fabric namespace (198.19.0.1:15012, file registry on the
/// lab's cluster folder, a bearer token per node) and one ztunnel per node in the node's namespace. Both are lab
/// processes, so <c>lab down</c> stops them by PID.
/// </summary>
public static class LabMesh
{
    public const string ControlPlaneLog = "controlplane";

    public static string MeshDir(LabState s) => Path.Combine(s.StateDir, "mesh");
    public static string TrustBundle(LabState s) => LabNames.TrustBundlePath(s.StateDir);
    public static string ZtunnelLog(string node) => $"ztunnel-{node}";

    /// <summary>The unix socket a node's restarting ztunnel takes the listeners over on (in the lab's state folder).</summary>
    public static string HandoffSocket(LabState s, string node) => Path.Combine(s.StateDir, "nodes", node, "ztunnel-handoff.sock");

    /// <summary>The supervised ztunnel of <paramref name="node"/>.</summary>
    public static LabProcess Ztunnel(Runtime.Lab lab, string node) => lab.Process(ZtunnelLog(node));

    /// <param name="certTtl">Workload certificate lifetime (the control plane's default, 24 h, when null).</param>
    /// <param name="drainTimeout">ztunnel's drain window on SIGTERM or takeover (its default, 30 s, when null).</param>
    /// <param name="rootRotation">The CA's root lifetime, rotation point and overlap (the control plane's defaults when null).</param>
    /// <param name="controlPlaneArgs">More control plane flags (e.g. --ca-cert/--ca-key/--ca-bundle for a CA signed elsewhere).</param>
    /// <param name="externalControlPlane">
    /// Runs the control plane somewhere else instead of as a lab process: it is given the control plane's arguments
    /// (without the executable) and must start a control plane with them that serves on the fabric's address (the
    /// control plane image in a container joined to <see cref="FabricState.NetnsPath"/>) and writes the lab's state
    /// folder. The ztunnels are started as usual once its trust bundle is there; the caller stops what it started.
    /// </param>
    /// <param name="ztunnelArgs">More ztunnel flags, given to every node's ztunnel (e.g. --tc-mode clsact).</param>
    public static async Task StartAsync(Runtime.Lab lab, MeshBinaries binaries, TimeSpan timeout, TimeSpan? certTtl = null,
        TimeSpan? drainTimeout = null, LabRootRotation? rootRotation = null, IReadOnlyList<string>? controlPlaneArgs = null,
        Func<IReadOnlyList<string>, CancellationToken, Task>? externalControlPlane = null, IReadOnlyList<string>? ztunnelArgs = null,
        CancellationToken ct = default)
    {
        var s = lab.Status;
        var dir = MeshDir(s);
        Directory.CreateDirectory(Path.Combine(dir, "tokens"));
        var tokens = s.Nodes.ToDictionary(n => n.Name, _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant());
        var tokensFile = Path.Combine(dir, "node-tokens.json");
        WritePrivate(tokensFile, JsonSerializer.Serialize(tokens));
        foreach (var (node, token) in tokens)
        {
            WritePrivate(LabNames.NodeTokenPath(s.StateDir, node), token);
        }
        var cpAddress = $"{s.Fabric.Ip}:{LabNames.ControlPlanePort}";
        List<string> cp =
        [
            "--registry", "file", "--dir", s.ClusterDir, "--node-tokens", tokensFile,
            "--state-dir", Path.Combine(dir, "cp"), "--listen", cpAddress, "--monitoring", $"{s.Fabric.Ip}:15014",
        ];
        if (certTtl is { } ttl)
        {
            cp.AddRange(["--cert-ttl", $"{(int)Math.Ceiling(ttl.TotalSeconds)}s"]);
        }
        if (rootRotation is { } r)
        {
            cp.AddRange(["--root-lifetime", $"{(int)Math.Ceiling(r.RootLifetime.TotalSeconds)}s",
                "--root-rotate-at", r.RotateAt.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--rotation-overlap", $"{(int)Math.Ceiling(r.Overlap.TotalSeconds)}s"]);
        }
        cp.AddRange(controlPlaneArgs ?? []);
        if (externalControlPlane is null)
        {
            lab.StartFabricProcess([.. binaries.ControlPlane, .. cp], ControlPlaneLog);
        }
        else
        {
            await externalControlPlane(cp, ct);
        }
        var bundle = TrustBundle(s);
        await WaitAsync(() => File.Exists(bundle), timeout, $"the control plane did not write {bundle}; see {Path.Combine(s.LogDir, ControlPlaneLog + ".log")}", ct);
        foreach (var n in s.Nodes)
        {
            // Supervised as a kubelet runs the ztunnel DaemonSet's pod: restarted with backoff when it exits.
            List<string> argv =
            [
                .. binaries.Ztunnel, "--node", n.Name, "--cni-socket", n.CniSocket, "--cgroup-root", s.CgroupDir,
                "--control-plane", $"https://{cpAddress}", "--token-file", LabNames.NodeTokenPath(s.StateDir, n.Name),
                "--root-cert", bundle, "--telemetry-address", n.Ip,
                "--instance", LabNames.ZtunnelInstance(s.Name, n.Name), "--handoff-socket", HandoffSocket(s, n.Name),
            ];
            if (drainTimeout is { } drain)
            {
                argv.AddRange(["--drain-timeout", $"{(int)Math.Ceiling(drain.TotalMilliseconds)}ms"]);
            }
            argv.AddRange(ztunnelArgs ?? []);
            lab.StartSupervisedNodeProcess(n.Name, argv, ZtunnelLog(n.Name));
        }
        foreach (var n in s.Nodes)
        {
            var url = $"http://{n.Ip}:15021/healthz/ready";
            await WaitAsync(() => lab.ExecInNodeAsync(n.Name, ["curl", "-sf", "-m", "1", "-o", "/dev/null", url], TimeSpan.FromSeconds(5), ct)
                    .GetAwaiter().GetResult().ExitCode == 0,
                timeout, $"ztunnel on {n.Name} is not ready ({url}); see {Path.Combine(s.LogDir, ZtunnelLog(n.Name) + ".log")}", ct);
        }
        // As the mesh's CNI installer adds mesh-cni to each node's chain: pods started from now on are captured before they run.
        lab.InstallMeshCni(binaries.Cni);
    }

    /// <summary>
    /// Stops the control plane (SIGTERM, SIGKILL after <paramref name="grace"/>), as a rollout or a node loss does; the
    /// ztunnels keep serving with what they hold and reconnect when it is back (<see cref="StartControlPlaneAgain"/>).
    /// </summary>
    public static Task StopControlPlaneAsync(Runtime.Lab lab, TimeSpan grace, CancellationToken ct = default) =>
        lab.StopProcessAsync(lab.Process(ControlPlaneLog), grace, ct);

    /// <summary>Starts the control plane again with the command line it was started with (same state folder, same log).</summary>
    public static LabProcess StartControlPlaneAgain(Runtime.Lab lab)
    {
        var last = lab.Status.Processes.LastOrDefault(p => p.Name == ControlPlaneLog)
            ?? throw new LabException($"lab '{lab.Name}' never started a control plane; start the mesh first");
        if (Signal.Alive(last.Pid))
        {
            throw new LabException($"the control plane of lab '{lab.Name}' still runs (pid {last.Pid}); stop it first");
        }
        return lab.StartFabricProcess(last.Argv, ControlPlaneLog);
    }

    private static void WritePrivate(string path, string content)
    {
        File.WriteAllText(path, content);
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan timeout, string failure, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > timeout)
            {
                throw new LabException(failure);
            }
            await Task.Delay(100, ct);
        }
    }
}
