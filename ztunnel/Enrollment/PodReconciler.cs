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
/// fetched ahead of first use). The one writer of the enrolled set.
/// </summary>
public sealed partial class PodReconciler(
    string podsFile, MeshStateStore state, RedirectionManager redirection, Action<IEnumerable<SpiffeId>> localIdentities, ILogger logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly Dictionary<string, NodePod> _enrolled = new(StringComparer.Ordinal);

    /// <summary>Removes what a crashed earlier ztunnel left and loads the programs.</summary>
    public void Start() => redirection.Start(ReadPods().Select(Host.EnrollmentPlan.ToCapture));

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var changed = state.Changed;
            Apply(EnrollmentPlanner.Plan(ReadPods(), state.Current, _enrolled));
            try
            {
                await Task.WhenAny(changed, Task.Delay(PollInterval, stop)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        foreach (var uid in _enrolled.Keys.ToArray())
        {
            redirection.Unenroll(uid);
        }
        _enrolled.Clear();
    }

    private void Apply(EnrollmentChanges plan)
    {
        if (plan.IsEmpty)
        {
            return;
        }
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
            }
        }
        var current = state.Current;
        localIdentities(_enrolled.Keys
            .Select(uid => current.WorkloadsByUid.GetValueOrDefault(uid))
            .Where(w => w is not null)
            .Select(w => w!.Identity)
            .Distinct());
    }

    private ImmutableArray<NodePod> ReadPods()
    {
        try
        {
            return NodePodsFile.Read(podsFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            LogPodsFileUnreadable(logger, podsFile, e.Message);
            return [.. _enrolled.Values];
        }
    }

    [LoggerMessage(EventId = 3400, Level = LogLevel.Warning, Message = "pod {Uid} not captured yet, will retry: {Reason}")]
    private static partial void LogEnrollRetry(ILogger logger, string uid, string reason);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "cannot read the pod report {File}: {Reason}")]
    private static partial void LogPodsFileUnreadable(ILogger logger, string file, string reason);
}
