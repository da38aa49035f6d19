using Mesh.Core.Identity;

namespace Mesh.Ztunnel.Limits;

/// <summary>
/// The connections ztunnel holds now, per node, pod and peer identity; <see cref="TryAcquire"/> asks
/// <see cref="LimitDecision"/> and hands out a lease that gives the slot back when disposed (once).
/// </summary>
public sealed class ConnectionBudget(ProxyLimits limits, int nodeLimit)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, int> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<SpiffeId, int> _peers = [];
    private int _node;

    public ProxyLimits Limits => limits;

    /// <summary>The node-wide cap in force (from the descriptor limit).</summary>
    public int NodeLimit => nodeLimit;

    public int NodeConnections
    {
        get
        {
            lock (_lock)
            {
                return _node;
            }
        }
    }

    /// <summary>
    /// A lease for one connection through <paramref name="pod"/> (null: none, e.g. a peer's HBONE connection already
    /// counted at accept) from <paramref name="peer"/> (null: no identity); or null and the reason it is refused.
    /// </summary>
    public IDisposable? TryAcquire(string? pod, SpiffeId? peer, out RefusalReason refused)
    {
        lock (_lock)
        {
            var counts = new ConnectionCounts(_node, pod is null ? 0 : _pods.GetValueOrDefault(pod), peer is { } p ? _peers.GetValueOrDefault(p) : 0);
            refused = LimitDecision.Admit(counts, nodeLimit, limits, countsNode: pod is not null, hasPeer: peer is not null);
            if (refused != RefusalReason.None)
            {
                return null;
            }
            if (pod is not null)
            {
                _node++;
                _pods[pod] = counts.Pod + 1;
            }
            if (peer is { } id)
            {
                _peers[id] = counts.Peer + 1;
            }
        }
        return new Lease(this, pod, peer);
    }

    private void Release(string? pod, SpiffeId? peer)
    {
        lock (_lock)
        {
            if (pod is not null)
            {
                _node--;
                Decrement(_pods, pod);
            }
            if (peer is { } id)
            {
                Decrement(_peers, id);
            }
        }
    }

    private static void Decrement<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull
    {
        var left = counts.GetValueOrDefault(key) - 1;
        if (left > 0)
        {
            counts[key] = left;
        }
        else
        {
            counts.Remove(key);
        }
    }

    private sealed class Lease(ConnectionBudget budget, string? pod, SpiffeId? peer) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                budget.Release(pod, peer);
            }
        }
    }
}
