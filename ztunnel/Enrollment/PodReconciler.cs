using System.Collections.Immutable;
using Mesh.Core.Identity;
using Mesh.Ztunnel.Host;
using Mesh.Ztunnel.Redirection;

using Mesh.Ztunnel.State;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Enrollment;

/// <summary>
/// Keeps capture in line with the mesh: on every mesh state change, and when the node's pod report changes,
/// plans with <see cref="EnrollmentPlanner"/> and enrolls/unenrolls pods in the <see cref="RedirectionManager"/>;
/// then tells <paramref name="localIdentities"/> which identities the captured pods have (certificates are
/// fetched ahead of first use). The one writer of the enrolled set. It sleeps until the mesh state changes or
/// <see cref="PodsFileWatcher"/> sees the report change (inotify); a slow rescan (<see cref="RescanInterval"/>)
/// is the safety net, and a pass that could not enroll a pod (or read the report, or watch its folder) retries
/// after <see cref="RetryInterval"/>.
/// </summary>
public sealed partial class PodReconciler(
    string podsFile, MeshStateStore state, RedirectionManager redirection, Action<IEnumerable<SpiffeId>> localIdentities, ILogger logger)
{
    /// <summary>A pass with nothing to retry waits this long at most when no change is seen.</summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(30);

    /// <summary>A pass that failed somewhere waits this long at most before trying again.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, NodePod> _enrolled = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _readFailed;

    /// <summary>Completes after the first pass that planned with a mesh state from the control plane (readiness).</summary>
    public Task FirstPass => _firstPass.Task;

    /// <summary>Removes what a crashed earlier ztunnel left and loads the programs.</summary>
    public void Start() => redirection.Start(ReadPods().Select(Host.EnrollmentPlan.ToCapture));

    public async Task RunAsync(CancellationToken stop)
    {
        using var watcher = new PodsFileWatcher(podsFile);
        while (!stop.IsCancellationRequested)
        {
            // Take both signals before reading, so a change during the pass wakes the next one.
            var watching = watcher.TryWatch();
            var podsChanged = watcher.Changed;
            var stateChanged = state.Changed;
            var current = state.Current;
            var complete = Apply(EnrollmentPlanner.Plan(ReadPods(), current, _enrolled));
            if (current.Version != 0)
            {
                _firstPass.TrySetResult();
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var timeout = complete && watching && !_readFailed ? RescanInterval : RetryInterval;
            await Task.WhenAny(stateChanged, podsChanged, Task.Delay(timeout, wait.Token)).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
        }
        // Stopping leaves every pod enrolled: its pins keep it captured (connections refused) until the next ztunnel.
    }

    /// <summary>Carries out the plan; false when a pod could not be enrolled (to be retried).</summary>
    private bool Apply(EnrollmentChanges plan)
    {
        if (plan.IsEmpty)
        {
            ReleaseUnclaimed([]);
            return true;
        }
        var complete = true;
        var failed = new List<string>();
        foreach (var uid in plan.Unenroll)
        {
            redirection.Unenroll(uid);
            _enrolled.Remove(uid);
        }
        foreach (var pod in plan.Enroll)
        {
            try
            {
                redirection.Enroll(Host.EnrollmentPlan.ToCapture(pod));
                _enrolled[pod.Uid] = pod;
            }
            catch (RedirectionException e)
            {
                // Logged by the manager; the next pass tries again.
                LogEnrollRetry(logger, pod.Uid, e.Message);
                complete = false;
                failed.Add(pod.Uid);
            }
        }
        ReleaseUnclaimed(failed);
        var current = state.Current;
        localIdentities(_enrolled.Keys
            .Select(uid => current.WorkloadsByUid.GetValueOrDefault(uid))
            .Where(w => w is not null)
            .Select(w => w!.Identity)
            .Distinct());
        return complete;
    }

    /// <summary>
    /// Once the control plane has spoken, pods an earlier ztunnel pinned that are neither enrolled nor being retried
    /// are released (a pod still wanted but failing keeps its pins, so it stays captured).
    /// </summary>
    private void ReleaseUnclaimed(IReadOnlyCollection<string> retrying)
    {
        if (state.Current.Version == 0 || _readFailed)
        {
            return;
        }
        redirection.ReleaseUnclaimed(retrying.ToHashSet(StringComparer.Ordinal));
    }

    private ImmutableArray<NodePod> ReadPods()
    {
        try
        {
            var pods = NodePodsFile.Read(podsFile);
            _readFailed = false;
            return pods;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            LogPodsFileUnreadable(logger, podsFile, e.Message);
            _readFailed = true;
            return [.. _enrolled.Values];
        }
    }

    [LoggerMessage(EventId = 3400, Level = LogLevel.Warning, Message = "pod {Uid} not captured yet, will retry: {Reason}")]
    private static partial void LogEnrollRetry(ILogger logger, string uid, string reason);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "cannot read the pod report {File}: {Reason}")]
    private static partial void LogPodsFileUnreadable(ILogger logger, string file, string reason);
}
