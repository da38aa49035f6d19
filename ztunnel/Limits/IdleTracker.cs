using System.Collections.Concurrent;

namespace Mesh.Ztunnel.Limits;

/// <summary>
/// Resets proxied connections that carried no byte either way for the idle timeout: one timer for the node sweeps
/// the open relays (each relay only stamps the time on a read), so an idle connection costs no timer of its own.
/// </summary>
public sealed class IdleTracker : IDisposable
{
    private readonly ConcurrentDictionary<RelayActivity, byte> _open = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly ITimer? _sweeper;

    /// <param name="timeout">Zero or less disables the sweep (relays still get a token).</param>
    public IdleTracker(TimeSpan timeout, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _timeout = timeout;
        if (timeout > TimeSpan.Zero)
        {
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, timeout.Ticks / 4));
            _sweeper = _time.CreateTimer(_ => Sweep(), null, period, period);
        }
    }

    public int Open => _open.Count;

    /// <summary>Starts tracking one relay; its token fires when <paramref name="cancellationToken"/> does or the relay idles out. Dispose when it ends.</summary>
    public RelayActivity Track(CancellationToken cancellationToken)
    {
        var activity = new RelayActivity(this, _time, cancellationToken);
        _open.TryAdd(activity, 0);
        return activity;
    }

    /// <summary>Cancels every relay idle for the timeout (the timer calls it; tests too).</summary>
    public void Sweep()
    {
        foreach (var a in _open.Keys)
        {
            if (_time.GetElapsedTime(a.LastActivity) >= _timeout)
            {
                a.IdleOut();
            }
        }
    }

    internal void Untrack(RelayActivity activity) => _open.TryRemove(activity, out _);

    public void Dispose() => _sweeper?.Dispose();
}
