using System.Net;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Tests.Integration.Capture;

/// <summary>A pod of the capture test network: a network namespace plus a cgroup v2 directory.</summary>
internal sealed record CaptureTestPod(string Uid, string NetnsName, IPAddress Ip, string CgroupPath)
{
    public string NetnsPath => $"/run/netns/{NetnsName}";

    public PodCapture ToCapture() => new(Uid, Ip, NetnsPath, CgroupPath);

    /// <summary>
    /// Runs <paramref name="command"/> as a process of this pod (its cgroup, then its namespace: `ip netns exec`
    /// remounts /sys, so the cgroup is joined first), like the app would.
    /// </summary>
    public (int Code, string Output) Exec(string command, int timeoutMs = 30_000) =>
        Shell.RunWithCode($"sh -c 'echo $$ > {CgroupPath}/cgroup.procs && exec ip netns exec {NetnsName} {command.Replace("'", "'\\''")}'", timeoutMs);

    /// <summary>Runs a command in the pod's namespace only (not its cgroup): tc, ss, bpftool.</summary>
    public string InNetns(string command) => Shell.Run($"ip netns exec {NetnsName} {command}", check: false);
}
