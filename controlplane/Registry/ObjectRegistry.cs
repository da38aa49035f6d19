using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading.Channels;
using Mesh.ControlPlane.Metrics;
using Mesh.ControlPlane.Translation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// Consumes every <see cref="IObjectSource"/>, keeps their objects, and after a short quiet period
/// (coalescing bursts) translates everything into a new <see cref="RegistrySnapshot"/> published on the
/// <see cref="MeshStateHub"/>. The single writer of the hub. Nothing is published before every source has
/// synced once (readiness). A source error (a file that does not parse) is published in the snapshot, logged once
/// when it first appears, and counted in <c>mesh_controlplane_registry_file_errors</c>; it never stops the loop.
/// </summary>
public sealed partial class ObjectRegistry(IEnumerable<IObjectSource> sources, MeshStateHub hub, TranslationOptions options,
    ILogger<ObjectRegistry> log, TimeProvider time, ControlPlaneMetrics? metrics = null) : BackgroundService
{
    /// <summary>How long the registry waits for more changes before translating.</summary>
    public TimeSpan Quiet { get; init; } = TimeSpan.FromMilliseconds(20);
    /// <summary>The longest a burst of changes may delay a publish.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    private readonly IObjectSource[] _sources = [.. sources];
    private HashSet<TranslationError> _reported = [];
    private HashSet<SourceError> _reportedSourceErrors = [];
    private long _generation;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var events = Channel.CreateUnbounded<(int Source, ObjectChange Change)>(new UnboundedChannelOptions { SingleReader = true });
        var stores = _sources.Select(_ => new ObjectStore()).ToArray();
        var pumps = _sources.Select((s, i) => PumpAsync(s, i, events.Writer, stoppingToken)).ToArray();
        var dirty = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!dirty)
                {
                    var (source, change) = await events.Reader.ReadAsync(stoppingToken);
                    dirty = stores[source].Apply(change);
                    continue;
                }
                // Coalesce: keep applying until the stream is quiet for Quiet, or MaxDelay has passed.
                var started = time.GetTimestamp();
                while (time.GetElapsedTime(started) < MaxDelay)
                {
                    using var quiet = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    quiet.CancelAfter(Quiet);
                    try
                    {
                        var (source, change) = await events.Reader.ReadAsync(quiet.Token);
                        stores[source].Apply(change);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        break;
                    }
                }
                if (stores.All(s => s.Synced))
                {
                    Publish(stores);
                }
                dirty = false;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(pumps);
    }

    private void Publish(ObjectStore[] stores)
    {
        var sw = Stopwatch.StartNew();
        var generation = ++_generation;
        var result = MeshTranslator.Translate(stores.SelectMany(s => s.Objects), options, generation);
        var sourceErrors = stores.SelectMany((s, i) => s.Errors.Select(e => e with { Source = _sources[i].Name })).ToImmutableArray();
        var snapshot = new RegistrySnapshot(generation, result.State, result.Errors, sourceErrors, time.GetUtcNow());
        hub.Publish(snapshot);
        metrics?.SetRegistryFileErrors(snapshot.SkippedFiles);
        var nowSource = sourceErrors.ToHashSet();
        foreach (var e in sourceErrors.Where(e => !_reportedSourceErrors.Contains(e)))
        {
            Log.SourceError(log, e.Source, e.Location ?? "-", e.Message);
        }
        _reportedSourceErrors = nowSource;
        var now = result.Errors.ToHashSet();
        foreach (var e in now.Where(e => !_reported.Contains(e)))
        {
            Log.TranslationFailed(log, e.ToString());
        }
        _reported = now;
        Log.Published(log, generation, result.State.Workloads.Length, result.State.Services.Length, result.State.Waypoints.Length,
            result.State.Policies.Length, result.Errors.Length, sw.Elapsed.TotalMilliseconds);
    }

    private async Task PumpAsync(IObjectSource source, int index, ChannelWriter<(int, ObjectChange)> writer, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in source.WatchAsync(ct).WithCancellation(ct))
                {
                    await writer.WriteAsync((index, change), ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.SourceFailed(log, source.Name, e);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4100, LogLevel.Information, "registry: published generation {Generation}: {Workloads} workloads, {Services} services, {Waypoints} waypoints, {Policies} policies, {Errors} translation errors ({Ms:F1} ms)")]
        public static partial void Published(ILogger logger, long generation, int workloads, int services, int waypoints, int policies, int errors, double ms);

        [LoggerMessage(4101, LogLevel.Warning, "registry: not translated: {Error}")]
        public static partial void TranslationFailed(ILogger logger, string error);

        [LoggerMessage(4102, LogLevel.Warning, "registry: source {Source}: {Location}: {Message}")]
        public static partial void SourceError(ILogger logger, string source, string location, string message);

        [LoggerMessage(4103, LogLevel.Error, "registry: source {Source} failed; restarting it in 1 s")]
        public static partial void SourceFailed(ILogger logger, string source, Exception exception);
    }
}
