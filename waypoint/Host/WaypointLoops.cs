using Mesh.Core.Discovery;
using Mesh.Waypoint.Identity;
using Microsoft.Extensions.Hosting;

namespace Mesh.Waypoint.Host;

/// <summary>
/// The waypoint's BackgroundService: the certificate loop (<see cref="WaypointIdentity"/>) and the discovery stream,
/// until the host stops. Its start returns only once the first certificate is there, and the generic host starts the
/// web server after its hosted services: Kestrel takes no TLS handshake it cannot answer.
/// </summary>
public sealed class WaypointLoops(WaypointIdentity identity, DiscoveryClient discovery) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        await identity.Ready.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var discoveryLoop = discovery.RunAsync(stoppingToken);
        try
        {
            await identity.RunAsync(stoppingToken);
        }
        finally
        {
            await discoveryLoop.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
