using System.Collections.Concurrent;
using Mesh.Core.Metrics;
using Mesh.Core.Model;

namespace Mesh.Ztunnel.Outbound;

/// <summary>
/// Open outbound connections from this ztunnel per endpoint pod (by workload uid): the load
/// <see cref="EndpointPicker"/> balances on. The connection path takes an <see cref="OutstandingLease"/> right after the
/// plan names the endpoint and disposes it when the connection ends, however it ends (dial failure, refusal, reset,
/// clean close): the count goes up once and down once. Readers never lock; the few writers share one lock, and an
/// endpoint's entry is removed when its count returns to zero, so departed pods leave nothing behind. The node-wide sum
/// is the gauge <c>mesh_ztunnel_outstanding_connections</c> (0 when nothing is open: a leak or a double release shows).
/// </summary>
public sealed class OutstandingConnections : IEndpointLoad
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Lock _write = new();
    private long _total;

    /// <summary>With a <paramref name="registry"/>, the gauge is set from <see cref="Total"/> before each scrape.</summary>
    public OutstandingConnections(MetricsRegistry? registry = null)
    {
        if (registry is null)
        {
            return;
        }
        var gauge = registry.Factory.CreateGauge("mesh_ztunnel_outstanding_connections",
            "Outbound connections from this ztunnel open now (the load its endpoint balancer reads)");
        registry.BeforeCollect(() => gauge.Set(Total));
    }

    /// <summary>All open connections counted now.</summary>
    public long Total => Interlocked.Read(ref _total);

    public long Load(Workload endpoint) => _counts.TryGetValue(endpoint.Uid, out var n) ? n : 0;

    /// <summary>Counts one connection to <paramref name="endpoint"/> (null: nothing to count) until the lease is disposed.</summary>
    public OutstandingLease Open(Workload? endpoint)
    {
        if (endpoint is null)
        {
            return OutstandingLease.None;
        }
        lock (_write)
        {
            _counts[endpoint.Uid] = _counts.TryGetValue(endpoint.Uid, out var n) ? n + 1 : 1;
            _total++;
        }
        return new OutstandingLease(this, endpoint.Uid);
    }

    internal void Release(string uid)
    {
        lock (_write)
        {
            if (!_counts.TryGetValue(uid, out var n))
            {
                return;
            }
            if (n <= 1)
            {
                _counts.TryRemove(uid, out _);
            }
            else
            {
                _counts[uid] = n - 1;
            }
            _total--;
        }
    }
}
