namespace Mesh.Ztunnel.Outbound;

/// <summary>One connection counted in <see cref="OutstandingConnections"/>; disposing it releases the count exactly once.</summary>
public sealed class OutstandingLease : IDisposable
{
    /// <summary>A lease that counts nothing (no endpoint known).</summary>
    public static readonly OutstandingLease None = new(null, "");

    private readonly OutstandingConnections? _owner;
    private readonly string _uid;
    private int _released;

    internal OutstandingLease(OutstandingConnections? owner, string uid)
    {
        _owner = owner;
        _uid = uid;
    }

    public void Dispose()
    {
        if (_owner is not null && Interlocked.Exchange(ref _released, 1) == 0)
        {
            _owner.Release(_uid);
        }
    }
}
