using System.Collections.Immutable;
using System.Text.Json;
using Mesh.Native;
using Mesh.Ztunnel.Proxy;
using Mesh.Ztunnel.Redirection;
using Microsoft.Extensions.Logging;
using Mesh.Ztunnel.NodeAgent;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// A capture-only ztunnel: checks the machine, loads the programs, cleans what a crashed earlier
/// ztunnel left, then keeps the enrolled pods in line with pods.json and the enrolled namespaces
/// (polled), proxying with the passthrough proxy until HBONE takes the outbound hop.
/// </summary>
public sealed class CaptureHost
{
    private readonly CaptureHostOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    public CaptureHost(CaptureHostOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<CaptureHost>();
    }

    /// <summary>Runs until <paramref name="stop"/> fires; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        var namespaces = string.Join(',', _options.EnrollNamespaces.Order());
        CaptureHostLog.Starting(_logger, _options.PodsFile ?? "(none)", namespaces, _options.TcMode, Environment.ProcessId);
        if (!StartChecks.Pass(_logger))
        {
            return 1;
        }
        var redirection = new RedirectionOptions { TcMode = _options.TcMode, Instance = _options.Instance };
        if (_options.BpfDirectory is not null)
        {
            redirection = redirection with { BpfDirectory = _options.BpfDirectory };
        }
        if (_options.Uninstall)
        {
            // The clean uninstall: every pinned link detached, the instance folder removed, stale filters and routes gone.
            StaleCapture.Uninstall(redirection, ReadPods().Select(EnrollmentPlan.ToCapture), _loggers.CreateLogger<PodEnroller>());
            return 0;
        }
        LoadedCapture capture;
        try
        {
            capture = LoadedCapture.Load(redirection, _loggers.CreateLogger<PodEnroller>());
        }
        catch (RedirectionException e)
        {
            CaptureHostLog.StartFailed(_logger, e.Message);
            return 1;
        }
        using var loaded = capture;
        var destinations = new OriginalDestinations(capture);
        using var proxy = new InPodProxy(() => destinations, new PodSocketFactory(redirection), _loggers.CreateLogger<InPodProxy>());
        using var manager = new PodEnroller(capture, proxy, _loggers.CreateLogger<PodEnroller>());
        try
        {
            manager.Start(ReadPods().Select(EnrollmentPlan.ToCapture));
        }
        catch (RedirectionException e)
        {
            CaptureHostLog.StartFailed(_logger, e.Message);
            return 1;
        }
        var ready = false;
        while (!stop.IsCancellationRequested)
        {
            Reconcile(manager);
            if (!ready)
            {
                ready = true;
                CaptureHostLog.Ready(_logger, manager.Enrolled.Count);
            }
            try
            {
                await Task.Delay(_options.PollInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        CaptureHostLog.Stopping(_logger);
        return 0;
    }

    private void Reconcile(PodEnroller manager)
    {
        var enrolled = manager.Enrolled.Select(p => p.Pod.Uid).ToHashSet(StringComparer.Ordinal);
        var plan = EnrollmentPlan.Compute(ReadPods(), _options.EnrollNamespaces, enrolled);
        foreach (var uid in plan.Unenroll)
        {
            manager.Unenroll(uid);
        }
        var retrying = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in plan.Enroll)
        {
            try
            {
                manager.Enroll(pod);
            }
            catch (RedirectionException)
            {
                // logged by the manager; retried at the next poll
                retrying.Add(pod.Uid);
            }
        }
        // Pods an earlier ztunnel pinned and this one does not capture are released.
        manager.ReleaseUnclaimed(retrying);
    }

    private ImmutableArray<NodePod> ReadPods()
    {
        if (_options.PodsFile is null)
        {
            return []; // uninstall on a node without a pods file: the pins alone say what to remove
        }
        try
        {
            return NodePodsFile.Read(_options.PodsFile);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            CaptureHostLog.PodsFileUnreadable(_logger, _options.PodsFile, e.Message);
            return [];
        }
    }
}
