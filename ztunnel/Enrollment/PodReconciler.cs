using System.Collections.Immutable;
using Mesh.Ztunnel.Cni;
using Mesh.Ztunnel.Redirection;
using Mesh.Ztunnel.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Enrollment;

/// <summary>
/// Keeps capture in line with the mesh: on every mesh state change, and when the node's pod report changes,
/// plans with <see cref="EnrollmentPlanner"/> and enrolls/unenrolls pods in the <see cref="RedirectionManager"/>.
/// The one writer of the enrolled set.
/// </summary>
public sealed partial class PodReconciler(
    ZtunnelOptions options, MeshStateStore state, RedirectionManager redirection, ILogger<PodReconciler> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly Dictionary<string, NodePod> _enrolled = new(StringComparer.Ordinal);
    private DateTime _podsFileWritten;
    private ImmutableArray<NodePod> _localPods = [];

    /// <summary>Removes what a crashed earlier ztunnel left and loads the programs; run before listeners report ready.</summary>
    public void Start()
    {
        var pods = ReadPods() ?? [];
        redirection.Start(pods.Select(ToCapture));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = state.Changed;
            if (ReadPods() is { } pods)
            {
                _localPods = pods;
            }
            Apply(EnrollmentPlanner.Plan(_localPods, state.Current, _enrolled));
            try
            {
                await Task.WhenAny(changed, Task.Delay(PollInterval, stoppingToken)).ConfigureAwait(false);
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
    }

    private void Apply(EnrollmentPlan plan)
    {
        foreach (var uid in plan.Unenroll)
        {
            redirection.Unenroll(uid);
            _enrolled.Remove(uid);
        }
        foreach (var pod in plan.Enroll)
        {
            try
            {
                redirection.Enroll(ToCapture(pod));
                _enrolled[pod.Uid] = pod;
            }
            catch (RedirectionException e)
            {
                // Logged by the manager; the next pass tries again.
                LogEnrollRetry(logger, pod.Uid, e.Message);
            }
        }
    }

    /// <summary>The pods of the report when it changed since the last read; null when unchanged or unreadable.</summary>
    private ImmutableArray<NodePod>? ReadPods()
    {
        try
        {
            var written = File.GetLastWriteTimeUtc(options.PodsFile);
            if (written == _podsFileWritten && !_localPods.IsDefault && _podsFileWritten != default)
            {
                return null;
            }
            var pods = NodePodsFile.Parse(File.ReadAllText(options.PodsFile), out var problems);
            foreach (var p in problems)
            {
                LogBadPod(logger, options.PodsFile, p);
            }
            _podsFileWritten = written;
            return pods;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            LogPodsFileUnreadable(logger, options.PodsFile, e.Message);
            return null;
        }
    }

    private static PodCapture ToCapture(NodePod p) => new(p.Uid, p.Ip, p.NetnsPath, p.CgroupPath);

    [LoggerMessage(EventId = 3400, Level = LogLevel.Warning, Message = "pod {Uid} not captured yet, will retry: {Reason}")]
    private static partial void LogEnrollRetry(ILogger logger, string uid, string reason);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Warning, Message = "{File}: {Problem}")]
    private static partial void LogBadPod(ILogger logger, string file, string problem);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "cannot read the pod report {File}: {Reason}")]
    private static partial void LogPodsFileUnreadable(ILogger logger, string file, string reason);
}
