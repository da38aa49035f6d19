using System.Collections.Frozen;
using System.Diagnostics;
using Mesh.ControlPlane.Registry;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Core.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Turns each registry snapshot, and each trust bundle the CA publishes (<see cref="TrustBundleFeed"/>), into a
/// discovery version: serializes every resource, diffs against the
/// previous version, and when something changed bumps the version, appends the change to a bounded
/// history and wakes every stream. The only writer of <see cref="Current"/>. Versions start at the Unix
/// time in milliseconds (so they keep growing across restarts); the epoch is new at every start.
/// </summary>
public sealed partial class DiscoveryState(MeshStateHub hub, TimeProvider time, ILogger<DiscoveryState> log, TrustBundleFeed? bundles = null) : BackgroundService
{
    /// <summary>How many version steps are kept for resuming clients.</summary>
    public int HistoryLimit { get; init; } = 256;
    /// <summary>The most changed resources the history may hold in all (it holds their old entries).</summary>
    public int HistoryChangeLimit { get; init; } = 50_000;

    private readonly SnapshotHolder<DiscoverySnapshot?> _state = new(null);
    private volatile DiscoveryChange[] _history = [];
    private readonly string _epoch = Guid.NewGuid().ToString("n")[..12];

    public DiscoverySnapshot? Current => _state.Current;
    public IReadOnlyList<DiscoveryChange> History => _history;
    public string Epoch => _epoch;

    /// <summary>Completes at the next version after the call.</summary>
    public Task NextAsync(CancellationToken cancellationToken) => _state.NextAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Each wait is kept until it completes, so a quiet source does not collect one waiter per change of the other.
            Task? next = null, nextBundle = null;
            while (!stoppingToken.IsCancellationRequested)
            {
                next ??= hub.NextAsync(stoppingToken);
                nextBundle ??= bundles?.NextAsync(stoppingToken) ?? Task.Delay(Timeout.Infinite, stoppingToken);
                if (hub.Current is { } snapshot && (snapshot.Generation != _lastGeneration || !ReferenceEquals(bundles?.Current, _lastBundle)))
                {
                    Apply(snapshot);
                }
                var woke = await Task.WhenAny(next, nextBundle);
                stoppingToken.ThrowIfCancellationRequested();
                next = woke == next ? null : next;
                nextBundle = woke == nextBundle ? null : nextBundle;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private long _lastGeneration = -1;
    private TrustBundle? _lastBundle;

    /// <summary>Applies one registry snapshot (public for tests and the benchmark).</summary>
    public void Apply(RegistrySnapshot snapshot)
    {
        _lastGeneration = snapshot.Generation;
        _lastBundle = bundles?.Current;
        var sw = Stopwatch.StartNew();
        var entries = ResourceSerializer.Entries(_lastBundle is null ? snapshot.State : snapshot.State with { TrustBundle = _lastBundle });
        var previous = _state.Current;
        var changes = new List<(ResourceId, ResourceEntry?)>();
        if (previous is not null)
        {
            foreach (var (id, entry) in entries)
            {
                if (!previous.Entries.TryGetValue(id, out var old))
                {
                    changes.Add((id, null));
                }
                else if (old.FullHash != entry.FullHash || !old.Full.AsSpan().SequenceEqual(entry.Full))
                {
                    changes.Add((id, old));
                }
                else
                {
                    entries[id] = old;
                }
            }
            foreach (var (id, old) in previous.Entries)
            {
                if (!entries.ContainsKey(id))
                {
                    changes.Add((id, old));
                }
            }
            if (changes.Count == 0)
            {
                return;
            }
        }
        var version = previous is null ? time.GetUtcNow().ToUnixTimeMilliseconds() : previous.Version + 1;
        var published = time.GetTimestamp() - (long)((time.GetUtcNow() - snapshot.PublishedAt).TotalSeconds * time.TimestampFrequency);
        var next = new DiscoverySnapshot(_epoch, version, entries.ToFrozenDictionary(), published);
        // The history first: a stream that sees the new version finds its step (a step ahead of the version it reads is a no-op).
        if (previous is not null)
        {
            var history = new List<DiscoveryChange>(_history) { new(version, changes) };
            var total = history.Sum(h => h.Changes.Count);
            while (history.Count > 1 && (history.Count > HistoryLimit || total > HistoryChangeLimit))
            {
                total -= history[0].Changes.Count;
                history.RemoveAt(0);
            }
            _history = [.. history];
        }
        _state.Publish(next);
        Log.NewVersion(log, version, changes.Count, entries.Count, sw.Elapsed.TotalMilliseconds);
    }

    private static partial class Log
    {
        [LoggerMessage(4300, LogLevel.Information, "discovery: version {Version}: {Changes} changed of {Total} resources ({Ms:F1} ms)")]
        public static partial void NewVersion(ILogger logger, long version, int changes, int total, double ms);
    }
}
