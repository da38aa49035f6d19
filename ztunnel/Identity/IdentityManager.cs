using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Ztunnel.Identity;

/// <summary>
/// Keeps one certificate per workload identity (service account) that has a pod on this node. For each it makes an
/// ECDSA P-256 key and a CSR (SPIFFE URI SAN only), has the control plane CA sign it, and keeps the result in memory.
/// Certificates are fetched on first use (<see cref="GetAsync"/>) or ahead of time (<see cref="SetLocalIdentities"/>),
/// renewed at about half their lifetime, and failures are retried with exponential backoff. Concurrent requests for
/// one identity share one signing request. A renewal swaps in a new <see cref="WorkloadCertificate"/>: new
/// connections get it, existing ones keep the one they hold. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class IdentityManager : IAsyncDisposable
{
    private readonly ICertificateAuthorityClient _ca;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IdentityManagerOptions _options;
    private readonly ConcurrentDictionary<SpiffeId, IdentityEntry> _entries = new();
    private readonly CancellationTokenSource _stop = new();

    public IdentityManager(ICertificateAuthorityClient ca, TimeProvider time, ILogger<IdentityManager>? logger = null,
        IdentityManagerOptions? options = null)
    {
        _ca = ca;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _options = options ?? new IdentityManagerOptions();
    }

    /// <summary>The identities currently held (fetched or being fetched).</summary>
    public IReadOnlyCollection<SpiffeId> Identities => _entries.Keys.ToList();

    /// <summary>
    /// The current certificate of <paramref name="identity"/>: the cached one while it is valid, else the result of
    /// the signing request in flight (started now if there is none). Waits through retries until
    /// <paramref name="cancellationToken"/> says stop.
    /// </summary>
    public async ValueTask<WorkloadCertificate> GetAsync(SpiffeId identity, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var entry = _entries.GetOrAdd(identity, id => new IdentityEntry(id));
        var current = entry.Current;
        if (current is not null && current.IsValidAt(_time.GetUtcNow()))
        {
            return current;
        }
        return await StartFetch(entry).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cached certificate if it is valid now, without waiting.</summary>
    public bool TryGetCurrent(SpiffeId identity, out WorkloadCertificate certificate)
    {
        certificate = null!;
        if (_entries.TryGetValue(identity, out var entry) && entry.Current is { } c && c.IsValidAt(_time.GetUtcNow()))
        {
            certificate = c;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Tells the manager which identities have pods on this node: each is fetched ahead of time (if not held yet);
    /// identities not in the set are dropped (their renewals stop).
    /// </summary>
    public void SetLocalIdentities(IEnumerable<SpiffeId> identities)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var wanted = identities.ToHashSet();
        foreach (var id in wanted)
        {
            var entry = _entries.GetOrAdd(id, i => new IdentityEntry(i));
            if (entry.Current is null)
            {
                _ = StartFetch(entry);
            }
        }
        foreach (var (id, entry) in _entries)
        {
            if (!wanted.Contains(id) && _entries.TryRemove(new KeyValuePair<SpiffeId, IdentityEntry>(id, entry)))
            {
                entry.Remove();
                IdentityLog.Forgotten(_logger, id);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        var pending = new List<Task>();
        foreach (var entry in _entries.Values)
        {
            if (entry.Remove() is { } t)
            {
                pending.Add(t);
            }
        }
        try
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: fetches in flight end here.
        }
        _stop.Dispose();
    }

    /// <summary>The signing request in flight for <paramref name="entry"/>, started if there is none.</summary>
    private Task<WorkloadCertificate> StartFetch(IdentityEntry entry)
    {
        lock (entry)
        {
            return entry.Pending ??= FetchWithRetry(entry);
        }
    }

    private async Task<WorkloadCertificate> FetchWithRetry(IdentityEntry entry)
    {
        // Leave the lock of StartFetch before doing anything, so Pending is set before this can finish.
        await Task.Yield();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, entry.Token);
        try
        {
            var attempt = 0;
            while (true)
            {
                cancel.Token.ThrowIfCancellationRequested();
                try
                {
                    var certificate = await FetchOnce(entry.Identity, cancel.Token).ConfigureAwait(false);
                    // Renewal is armed before the certificate is published, so whoever sees it can rely on the timer.
                    ScheduleRefresh(entry, certificate);
                    entry.Current = certificate;
                    IdentityLog.Issued(_logger, entry.Identity, certificate.Certificate.Issuer, certificate.NotBefore, certificate.NotAfter, certificate.RefreshAt);
                    return certificate;
                }
                catch (Exception e) when (!cancel.IsCancellationRequested)
                {
                    attempt++;
                    var delay = Backoff(attempt);
                    IdentityLog.SignFailed(_logger, entry.Identity, attempt, delay, e.Message);
                    await Task.Delay(delay, _time, cancel.Token).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            lock (entry)
            {
                entry.Pending = null;
            }
        }
    }

    private async Task<WorkloadCertificate> FetchOnce(SpiffeId identity, CancellationToken cancellationToken)
    {
        var issued = await CertificateFetch.FetchAsync(_ca, identity, cancellationToken).ConfigureAwait(false);
        return new WorkloadCertificate(identity, issued.Leaf, issued.Chain, issued.TrustBundle,
            CertificateFetch.RefreshAt(issued.Leaf, _options.RefreshFraction));
    }

    /// <summary>The certificates held that are valid now, with their chains (a trust bundle must keep them verifiable).</summary>
    public IEnumerable<(X509Certificate2 Leaf, System.Collections.Immutable.ImmutableArray<X509Certificate2> Chain)> LiveCertificates()
    {
        var now = _time.GetUtcNow();
        foreach (var entry in _entries.Values)
        {
            if (entry.Current is { } c && c.IsValidAt(now))
            {
                yield return (c.Certificate, c.Chain);
            }
        }
    }

    private void ScheduleRefresh(IdentityEntry entry, WorkloadCertificate certificate)
    {
        var delay = certificate.RefreshAt - _time.GetUtcNow();
        if (delay < _options.MinRefreshDelay)
        {
            delay = _options.MinRefreshDelay;
        }
        entry.SetTimer(_time.CreateTimer(static s =>
        {
            var (manager, e) = ((IdentityManager, IdentityEntry))s!;
            if (!e.Token.IsCancellationRequested && !manager._stop.IsCancellationRequested)
            {
                _ = manager.StartFetch(e);
            }
        }, (this, entry), delay, Timeout.InfiniteTimeSpan));
    }

    private TimeSpan Backoff(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.InitialBackoff.Ticks * factor, _options.MaxBackoff.Ticks));
        return delay;
    }
}
