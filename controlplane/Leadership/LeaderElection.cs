using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Mesh.ControlPlane.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Leadership;

/// <summary>
/// Leader election among control plane replicas with KubernetesClient's <see cref="LeaderElector"/> on a
/// coordination.k8s.io/v1 Lease (<see cref="LeaseLock"/>). Only the leader runs the <see cref="ILeaderTask"/>s
/// (the writers); every replica serves the CA and discovery regardless. Losing the Lease cancels the tasks and
/// the replica goes back to campaigning; at shutdown the leader stops its tasks, then releases the Lease so a
/// follower takes over after one retry period instead of a whole lease duration.
/// </summary>
public sealed class LeaderElection(
    IKubernetes client,
    LeaderElectionOptions options,
    IEnumerable<ILeaderTask> tasks,
    ControlPlaneMetrics metrics,
    ILogger<LeaderElection> logger) : BackgroundService
{
    /// <summary>The Lease's verbs the election uses, in the control plane's namespace.</summary>
    public static IReadOnlyList<string> LeaseVerbs { get; } = ["get", "create", "update"];

    private readonly ILeaderTask[] _tasks = [.. tasks];
    private readonly Lock _lock = new();
    private CancellationTokenSource? _leading;
    private Task _running = Task.CompletedTask;
    private string? _lastError;
    private volatile string? _leader;

    private string Lease => $"{options.Namespace}/{options.LeaseName}";

    /// <summary>The holder identity this replica last saw (null before the first look).</summary>
    public string? Leader => _leader;

    public bool IsLeader => _leader == options.Identity;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LeaderLog.Starting(logger, Lease, options.Identity, options.LeaseDuration.TotalSeconds, options.RenewDeadline.TotalSeconds,
            options.RetryPeriod.TotalSeconds);
        var lease = new LeaseLock(client, options.Namespace, options.LeaseName, options.Identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(lease)
        {
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
        });
        elector.OnStartedLeading += () => StartTasks(stoppingToken);
        elector.OnStoppedLeading += StopTasks;
        elector.OnNewLeader += leader =>
        {
            _leader = leader;
            metrics.RecordLeaderChange();
            LeaderLog.LeaderChanged(logger, Lease, leader, leader == options.Identity ? "this replica" : "another replica");
        };
        elector.OnError += e =>
        {
            if (e is k8s.Autorest.HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.NotFound })
            {
                return; // no Lease yet: the elector creates it next
            }
            // One line per distinct failure, not one per retry period while the API server is away.
            var message = Kubernetes.KubeConfigLoader.FirstLine(e.Message);
            if (Interlocked.Exchange(ref _lastError, message) != message)
            {
                LeaderLog.ElectionError(logger, Lease, message);
            }
        };
        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            StopTasks();
            await _running;
            if (options.ReleaseOnStop && elector.IsLeader())
            {
                await ReleaseAsync();
            }
            metrics.SetLeader(false);
        }
    }

    private void StartTasks(CancellationToken stoppingToken)
    {
        lock (_lock)
        {
            _leading?.Cancel();
            var leading = _leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var previous = _running;
            LeaderLog.StartedLeading(logger, Lease, string.Join(", ", _tasks.Select(t => t.Name)));
            metrics.SetLeader(true);
            // A new term starts only after the previous term's tasks have finished.
            _running = Task.Run(async () =>
            {
                await previous;
                await Task.WhenAll(_tasks.Select(t => RunTaskAsync(t, leading.Token)));
            }, CancellationToken.None);
        }
    }

    private void StopTasks()
    {
        lock (_lock)
        {
            if (_leading is { IsCancellationRequested: false } leading)
            {
                LeaderLog.StoppedLeading(logger, Lease);
                metrics.SetLeader(false);
                leading.Cancel();
            }
        }
    }

    private async Task RunTaskAsync(ILeaderTask task, CancellationToken token)
    {
        var delay = TimeSpan.FromSeconds(5);
        while (!token.IsCancellationRequested)
        {
            try
            {
                await task.RunAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LeaderLog.TaskFailed(logger, task.Name, delay.TotalSeconds, e);
            }
            try
            {
                await Task.Delay(delay, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>client-go's ReleaseOnCancel: an empty holder with a 1 s lease, written only while the Lease is still ours.</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var current = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, options.Namespace, cancellationToken: timeout.Token);
            if (current.Spec?.HolderIdentity != options.Identity)
            {
                return;
            }
            current.Spec.HolderIdentity = "";
            current.Spec.LeaseDurationSeconds = 1;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, options.LeaseName, options.Namespace, cancellationToken: timeout.Token);
            LeaderLog.Released(logger, Lease);
        }
        catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            LeaderLog.ElectionError(logger, Lease, $"could not release the Lease at shutdown ({Kubernetes.KubeConfigLoader.FirstLine(e.Message)}); a follower takes over when it expires");
        }
    }
}
