using Microsoft.Extensions.Hosting;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// ztunnel's one BackgroundService: runs the mesh host (<see cref="MeshHost"/>, or <c>ztunnel uninstall</c>) until
/// the generic host stops it (SIGTERM, SIGINT: the host's console lifetime), keeps its exit code, and stops the
/// application when the host ends on its own (a failed start check, a fatal error).
/// </summary>
public sealed class ZtunnelService(Func<CancellationToken, Task<int>> run, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <summary>What the host returned; 1 until it returns.</summary>
    public int ExitCode { get; private set; } = 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start path: StartAsync returns at once and the console lifetime is listening for signals.
        await Task.Yield();
        try
        {
            ExitCode = await run(stoppingToken);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
