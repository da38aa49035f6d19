using System.Diagnostics;
using Mesh.Core.Model;
using Mesh.Core.State;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// Finds the pods that run on this node without a CNI call to this ztunnel (those that ran before it started, or
/// before the mesh was installed): whenever the mesh state names pods of this node with an address that are not local
/// yet, scans /proc (<see cref="ProcScanner"/>) and matches them (<see cref="RunningPodMatcher"/>); found pods join
/// <see cref="LocalPods"/> and the reconciler captures them like any other. A scan that found nothing new is not
/// repeated for the same missing pods until <see cref="RetryInterval"/> passed. Also forgets local pods whose network
/// namespace is gone (a pod removed without DEL).
/// </summary>
public sealed class RunningPodFinder(string node, string cgroupRoot, IReadOnlySnapshot<MeshState> state, LocalPods pods, ILogger logger)
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);

    public async Task RunAsync(CancellationToken stop)
    {
        string? lastMissing = null;
        var lastScan = DateTime.MinValue;
        while (!stop.IsCancellationRequested)
        {
            var changed = Task.WhenAny(state.Changed, pods.Changed);
            ForgetGone();
            var current = state.Current;
            var local = pods.Current.Pods;
            var missing = current.Workloads
                .Where(w => w.Node == node && !w.Addresses.IsEmpty && !local.ContainsKey(w.Uid))
                .ToList();
            var key = string.Join(',', missing.Select(w => w.Uid));
            if (missing.Count > 0 && (key != lastMissing || DateTime.UtcNow - lastScan > RetryInterval))
            {
                lastMissing = key;
                lastScan = DateTime.UtcNow;
                Scan(missing);
            }
            try
            {
                await Task.WhenAny(changed, Task.Delay(missing.Count > 0 ? RetryInterval : Timeout.InfiniteTimeSpan, stop)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Scan(List<Mesh.Core.Model.Workload> missing)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var processes = ProcScanner.PodProcesses();
            var found = RunningPodMatcher.Match(missing, processes, ProcScanner.NetnsPins(),
                uid => KubepodsCgroups.Find(cgroupRoot, uid, Directory.Exists));
            if (found.Length > 0)
            {
                pods.AddMissing(found);
            }
            var names = string.Join(", ", found.Take(5).Select(p => $"{p.Namespace}/{p.Name} in {p.NetnsPath}")) + (found.Length > 5 ? ", ..." : "");
            NodeAgentLog.Scanned(logger, found.Length, missing.Count, processes.Count, clock.Elapsed.TotalMilliseconds, names);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            NodeAgentLog.ScanFailed(logger, e.Message);
        }
    }

    private void ForgetGone()
    {
        foreach (var pod in pods.Current.Pods.Values)
        {
            if (!File.Exists(pod.NetnsPath))
            {
                NodeAgentLog.Gone(logger, pod.Uid, pod.NetnsPath);
                pods.Remove(pod.Uid, pod.NetnsPath);
            }
        }
    }
}
