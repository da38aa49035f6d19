using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Hbone;
using Mesh.Core.Identity;
using Microsoft.Extensions.Logging;

namespace Mesh.Waypoint.Identity;

/// <summary>
/// The waypoint's own SPIFFE certificate (its service account), from the control plane CA through
/// <see cref="CertificateFetch"/> (the fetch and checks ztunnel's identity manager uses), kept in memory only, renewed at half its lifetime; failures retry with backoff (0.5 s
/// doubling to 30 s) while a still-valid certificate keeps being served. New TLS handshakes (inbound and
/// outbound) take <see cref="Current"/>; open connections keep the credential they started with.
/// </summary>
public sealed partial class WaypointIdentity(ICertificateAuthorityClient ca, SpiffeId identity, TimeProvider time, ILogger<WaypointIdentity> logger,
    TrustAnchors? anchors = null)
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile HboneCredential? _current;

    public SpiffeId Identity => identity;

    /// <summary>The credential for new connections; null until the first certificate arrived.</summary>
    public HboneCredential? Current => _current;

    public Task Ready => _ready.Task;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var credential = await FetchAsync(cancellationToken);
                _current = credential;
                _ready.TrySetResult();
                var notAfter = new DateTimeOffset(credential.Certificate.NotAfter.ToUniversalTime());
                var refresh = CertificateFetch.RefreshAt(credential.Certificate, 0.5);
                wait = refresh - time.GetUtcNow();
                if (wait < TimeSpan.FromSeconds(1))
                {
                    wait = TimeSpan.FromSeconds(1);
                }
                Log.Issued(logger, identity, notAfter, refresh);
                backoff = TimeSpan.FromMilliseconds(500);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Any failure (CA refusal, network, timeout, a bad answer) is retried; the valid certificate stays in use.
                Log.Failed(logger, identity, e.Message, backoff);
                wait = backoff;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
            try
            {
                await Task.Delay(wait, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<HboneCredential> FetchAsync(CancellationToken cancellationToken)
    {
        var issued = await CertificateFetch.FetchAsync(ca, identity, cancellationToken);
        return anchors is null ? new HboneCredential(issued.Leaf, issued.Chain, issued.TrustBundle) : new HboneCredential(issued.Leaf, issued.Chain, anchors);
    }

    /// <summary>The certificate served now if it is valid, with its chain (a trust bundle must keep it verifiable).</summary>
    public IEnumerable<(X509Certificate2 Leaf, System.Collections.Immutable.ImmutableArray<X509Certificate2> Chain)> LiveCertificates()
    {
        var now = time.GetUtcNow();
        if (_current is { } c && now >= c.Certificate.NotBefore.ToUniversalTime() && now < c.Certificate.NotAfter.ToUniversalTime())
        {
            yield return (c.Certificate, c.Chain);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(6000, LogLevel.Information, "identity: certificate for {Identity} valid until {NotAfter:u}, renewal at {Refresh:u}")]
        public static partial void Issued(ILogger logger, SpiffeId identity, DateTimeOffset notAfter, DateTimeOffset refresh);

        [LoggerMessage(6001, LogLevel.Warning, "identity: no certificate for {Identity} yet ({Reason}); retrying in {Backoff}")]
        public static partial void Failed(ILogger logger, SpiffeId identity, string reason, TimeSpan backoff);
    }
}
