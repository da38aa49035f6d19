using Mesh.ControlPlane.Ca;
using Mesh.ControlPlane.Discovery;
using Mesh.Core.Identity;
using Microsoft.Extensions.Hosting;

namespace Mesh.ControlPlane.Hosting;

/// <summary>
/// Publishes the CA's trust bundle (every anchor of <see cref="CaMaterial.TrustBundle"/>) to discovery: at start and
/// within a second of any change (a rotation phase, `controlplane rotate-root`, new --ca-bundle files), so every
/// proxy holds it without a restart and one that reconnects gets it whole with its full state.
/// </summary>
public sealed class TrustBundlePublisher(CaStore store, CaOptions options, TrustBundleFeed feed, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Publishes the bundle of <paramref name="material"/> (public for tests).</summary>
    public bool PublishNow(CaMaterial material) =>
        feed.Publish(new TrustBundle { TrustDomain = options.TrustDomain, Anchors = [.. material.TrustBundle.Select(c => c.ExportCertificatePem())] });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            PublishNow(store.Current);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
