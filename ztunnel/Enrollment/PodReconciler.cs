using System.Collections.Immutable;
using Mesh.Core.Identity;
using Mesh.Ztunnel.NodeAgent;
using Mesh.Ztunnel.Redirection;

using Mesh.Core.Model;
using Mesh.Core.State;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Enrollment;

/// <summary>
/// Keeps capture in line with the mesh: on every mesh state change, and when the node's pods change (CNI ADD/DEL,
/// the scan of running pods: <see cref="LocalPods"/>), plans with <see cref="EnrollmentPlanner"/> and enrolls/unenrolls
/// pods with the <see cref="PodEnroller"/>; then tells <paramref name="localIdentities"/> which identities the
/// captured pods have (certificates are fetched ahead of first use), and publishes each local pod's outcome for the CNI
/// ADDs waiting on it. The one writer of the enrolled set. A slow rescan (<see cref="RescanInterval"/>) is the safety
/// net, and a pass that could not enroll a pod retries after <see cref="RetryInterval"/>.
/// </summary>
public sealed partial class PodReconciler(
    LocalPods pods, IReadOnlySnapshot<MeshState> state, PodEnroller enroller, Action<IEnumerable<SpiffeId>> localIdentities, ILogger logger)
{
    /// <summary>A pass with nothing to retry waits this long at most when no change is seen.</summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(30);

    /// <summary>A pass that failed somewhere waits this long at most before trying again.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, NodePod> _enrolled = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes after the first pass that planned with a mesh state from the control plane (readiness).</summary>
    public Task FirstPass => _firstPass.Task;

    /// <summary>Adopts the pods an earlier ztunnel pinned and removes what a crashed one left.</summary>
    public void Start() => enroller.Start(pods.Current.Pods.Values.Select(p => p.ToCapture()));

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            // Take both signals before reading, so a change during the pass wakes the next one.
            var podsChanged = pods.Changed;
            var stateChanged = state.Changed;
            var (local, generation) = pods.Current;
            var current = state.Current;
            var failed = Apply(EnrollmentPlanner.Plan([.. local.Values], current, _enrolled));
            pods.Publish(generation, Outcomes(local, current, failed));
            if (current.Version != 0)
            {
                _firstPass.TrySetResult();
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var timeout = failed.Count == 0 ? RescanInterval : RetryInterval;
            await Task.WhenAny(stateChanged, podsChanged, Task.Delay(timeout, wait.Token)).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
        }
        // Stopping leaves every pod enrolled: its pins keep it captured (connections refused) until the next ztunnel.
    }

    /// <summary>Each local pod's outcome after the pass: captured, failed to capture, or what admission says.</summary>
    private ImmutableDictionary<string, PodOutcome> Outcomes(
        ImmutableDictionary<string, NodePod> local, Core.Model.MeshState current, Dictionary<string, string> failed)
    {
        var outcomes = ImmutableDictionary.CreateBuilder<string, PodOutcome>(StringComparer.Ordinal);
        foreach (var (uid, pod) in local)
        {
            outcomes[uid] = _enrolled.TryGetValue(uid, out var enrolled) && enrolled.NetnsPath == pod.NetnsPath ? PodOutcome.Captured
                : failed.TryGetValue(uid, out var reason) ? PodOutcome.Failed(reason)
                : PodAdmission.Decide(current, pod);
        }
        return outcomes.ToImmutable();
    }

    /// <summary>Carries out the plan; returns the pods that could not be enrolled (to be retried) with the reason.</summary>
    private Dictionary<string, string> Apply(EnrollmentChanges plan)
    {
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        if (plan.IsEmpty)
        {
            ReleaseUnclaimed([]);
            return failed;
        }
        foreach (var uid in plan.Unenroll)
        {
            enroller.Unenroll(uid);
            _enrolled.Remove(uid);
        }
        foreach (var pod in plan.Enroll)
        {
            try
            {
                enroller.Enroll(pod.ToCapture());
                _enrolled[pod.Uid] = pod;
            }
            catch (RedirectionException e)
            {
                // Logged by the manager; the next pass tries again.
                LogEnrollRetry(logger, pod.Uid, e.Message);
                failed[pod.Uid] = e.Message;
            }
        }
        ReleaseUnclaimed(failed.Keys);
        var current = state.Current;
        localIdentities(_enrolled.Keys
            .Select(uid => current.WorkloadsByUid.GetValueOrDefault(uid))
            .Where(w => w is not null)
            .Select(w => w!.Identity)
            .Distinct());
        return failed;
    }

    /// <summary>
    /// Once the control plane has spoken, pods an earlier ztunnel pinned that are neither enrolled nor being retried
    /// are released (a pod still wanted but failing keeps its pins, so it stays captured).
    /// </summary>
    private void ReleaseUnclaimed(IReadOnlyCollection<string> retrying)
    {
        if (state.Current.Version == 0)
        {
            return;
        }
        enroller.ReleaseUnclaimed(retrying.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The pod reconciler's log event (ids 3700-3799).</summary>
    [LoggerMessage(EventId = 3700, Level = LogLevel.Warning, Message = "pod {Uid} not captured yet, will retry: {Reason}")]
    private static partial void LogEnrollRetry(ILogger logger, string uid, string reason);
}
