namespace Mesh.Ztunnel.Identity;

/// <summary>The state of one identity inside <see cref="IdentityManager"/>: the current certificate, the fetch in flight, the renewal timer.</summary>
internal sealed class IdentityEntry(Mesh.Core.Identity.SpiffeId identity)
{
    private readonly CancellationTokenSource _removed = new();
    private volatile WorkloadCertificate? _current;
    private ITimer? _timer;

    public Mesh.Core.Identity.SpiffeId Identity { get; } = identity;

    public WorkloadCertificate? Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>The signing request in flight; read and written under <c>lock (this)</c>.</summary>
    public Task<WorkloadCertificate>? Pending { get; set; }

    /// <summary>Cancelled when the identity is dropped.</summary>
    public CancellationToken Token => _removed.Token;

    public void SetTimer(ITimer timer)
    {
        var old = Interlocked.Exchange(ref _timer, timer);
        old?.Dispose();
        if (_removed.IsCancellationRequested)
        {
            timer.Dispose();
        }
    }

    /// <summary>Stops renewals and the fetch in flight; returns that fetch, if any, to be awaited.</summary>
    public Task? Remove()
    {
        _removed.Cancel();
        Interlocked.Exchange(ref _timer, null)?.Dispose();
        lock (this)
        {
            return Pending;
        }
    }
}
