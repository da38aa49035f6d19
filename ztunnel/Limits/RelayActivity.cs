namespace Mesh.Ztunnel.Limits;

/// <summary>One relay's last activity and its token (the caller's token, or the idle timeout): see <see cref="IdleTracker"/>.</summary>
public sealed class RelayActivity : IDisposable
{
    private readonly IdleTracker _tracker;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _cts;
    private long _last;

    internal RelayActivity(IdleTracker tracker, TimeProvider time, CancellationToken cancellationToken)
    {
        _tracker = tracker;
        _time = time;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _last = time.GetTimestamp();
    }

    /// <summary>Pass this to the relay: cancelling it is an abnormal end (both sides reset).</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True when the relay was ended by the idle timeout.</summary>
    public bool IdledOut { get; private set; }

    internal long LastActivity => Volatile.Read(ref _last);

    /// <summary>Bytes moved: the relay is not idle.</summary>
    public void Touch() => Volatile.Write(ref _last, _time.GetTimestamp());

    internal void IdleOut()
    {
        IdledOut = true;
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _tracker.Untrack(this);
        _cts.Dispose();
    }
}
