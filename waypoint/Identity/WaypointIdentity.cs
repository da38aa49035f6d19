using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Hbone;
using Mesh.Core.Identity;
using Microsoft.Extensions.Logging;

namespace Mesh.Waypoint.Identity;

/// <summary>
/// The waypoint's own SPIFFE certificate (its service account), from the control plane CA: a fresh key and CSR
/// per certificate, kept in memory only, renewed at half its lifetime; failures retry with backoff (0.5 s
/// doubling to 30 s) while a still-valid certificate keeps being served. New TLS handshakes (inbound and
/// outbound) take <see cref="Current"/>; open connections keep the credential they started with.
/// </summary>
public sealed partial class WaypointIdentity(ICertificateAuthorityClient ca, SpiffeId identity, TimeProvider time, ILogger<WaypointIdentity> logger)
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
                var notBefore = new DateTimeOffset(credential.Certificate.NotBefore.ToUniversalTime());
                var refresh = notBefore + (notAfter - notBefore) / 2;
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
        var (key, csr) = CsrBuilder.Create(identity);
        using (key)
        {
            var issued = await ca.SignAsync(identity, csr, cancellationToken);
            using var publicOnly = issued.Leaf;
            // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
            using var withKey = publicOnly.CopyWithPrivateKey(key);
            var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            return new HboneCredential(leaf, issued.Chain, issued.TrustBundle);
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
