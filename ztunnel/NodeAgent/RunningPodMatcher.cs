using System.Collections.Immutable;
using System.Net;
using Mesh.Core.Model;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// Finds where the pods that already run on this node live (pure), as Istio's node agent does for pods that got no
/// CNI call: a workload of this node is matched to a process whose network namespace holds the workload's address;
/// the process must also sit in that pod's cgroup (its cgroup path names the pod uid), which ties it to the pod and
/// keeps another namespace holding the same address (another cluster, a lab) from matching. The netns path is the
/// namespace's pin (/run/netns/...) when one exists, else /proc/&lt;pid&gt;/ns/net.
/// </summary>
public static class RunningPodMatcher
{
    public static ImmutableArray<NodePod> Match(
        IEnumerable<Workload> workloads, IEnumerable<ProcessNetns> processes, IReadOnlyDictionary<ulong, string> pins,
        Func<string, string?> cgroupOf)
    {
        var byUid = new Dictionary<string, ProcessNetns>(StringComparer.Ordinal);
        foreach (var p in processes.OrderBy(p => p.Pid))
        {
            if (KubepodsCgroups.PodUidOf(p.Cgroup) is { } uid)
            {
                byUid.TryAdd(uid, p);
            }
        }
        var result = ImmutableArray.CreateBuilder<NodePod>();
        foreach (var w in workloads.OrderBy(w => w.Uid, StringComparer.Ordinal))
        {
            var address = w.Addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
            if (address is null || !byUid.TryGetValue(w.Uid, out var process) || !process.Addresses.Contains(address))
            {
                continue;
            }
            if (cgroupOf(w.Uid) is not { } cgroup)
            {
                continue;
            }
            result.Add(new NodePod
            {
                Uid = w.Uid,
                Name = w.Name,
                Namespace = w.Namespace,
                Ip = address.ToString(),
                NetnsPath = pins.TryGetValue(process.NetnsInode, out var pin) ? pin : $"/proc/{process.Pid}/ns/net",
                CgroupPath = cgroup,
                ServiceAccount = w.ServiceAccount,
            });
        }
        return result.ToImmutable();
    }
}
