using System.IO.Pipelines;

namespace Mesh.Waypoint.Inbound;

/// <summary>
/// The tunnel's input as the inner HTTP/1.1 connection reads it: the CONNECT request body, except that a tunnel the
/// peer reset reads as a clean end of input, and cancelling a pending read never throws. Kestrel's request body reader
/// rethrows the reset from every call once the stream is aborted, including <see cref="CancelPendingRead"/> which
/// Kestrel calls from its shutdown callbacks, where an exception would escape the server's stop.
/// </summary>
internal sealed class TunnelInput(PipeReader inner) : PipeReader
{
    private bool _ended;

    public override void AdvanceTo(SequencePosition consumed)
    {
        if (!_ended)
        {
            inner.AdvanceTo(consumed);
        }
    }

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (!_ended)
        {
            inner.AdvanceTo(consumed, examined);
        }
    }

    public override void CancelPendingRead()
    {
        try
        {
            inner.CancelPendingRead();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
        }
    }

    public override void Complete(Exception? exception = null)
    {
        try
        {
            inner.Complete(exception);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_ended)
        {
            return new ReadResult(default, false, true);
        }
        try
        {
            return await inner.ReadAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _ended = true;
            return new ReadResult(default, false, true);
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_ended)
        {
            result = new ReadResult(default, false, true);
            return true;
        }
        try
        {
            return inner.TryRead(out result);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _ended = true;
            result = new ReadResult(default, false, true);
            return true;
        }
    }
}
