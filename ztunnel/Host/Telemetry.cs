using Mesh.Core.Metrics;

namespace Mesh.Ztunnel.Host;

/// <summary>ztunnel's two telemetry listeners (15020 metrics, 15021 readiness); disposing twice is harmless.</summary>
internal sealed class Telemetry(TelemetryServer metrics, TelemetryServer readiness) : IAsyncDisposable
{
    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await metrics.DisposeAsync().ConfigureAwait(false);
            await readiness.DisposeAsync().ConfigureAwait(false);
        }
    }
}
