using System.Net.Sockets;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Draining, as Istio's ztunnel does it (drain.rs), for every connection this process accepted: on SIGTERM or when a
/// successor takes the listeners over, accepting stops (<see cref="Accepting"/>) while established connections keep
/// working until they end or the drain deadline passes; then <see cref="Connections"/> is cancelled, which aborts the
/// relays, and each remaining accepted socket is reset (SO_LINGER 0), so its client sees a reset, not a clean end.
/// </summary>
public sealed class ConnectionDrain(Action<Exception>? failed = null) : IDisposable
{
    private readonly Action<Exception>? _failed = failed;
    private readonly CancellationTokenSource _accepting = new();
    private readonly CancellationTokenSource _connections = new();
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _active;

    /// <summary>Cancelled when accepting stops.</summary>
    public CancellationToken Accepting => _accepting.Token;

    /// <summary>Cancelled when the drain deadline passes: what still runs is aborted.</summary>
    public CancellationToken Connections => _connections.Token;

    /// <summary>Connections being handled now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>
    /// Handles one accepted connection, counted while it runs, with a token cancelled by <paramref name="cancellationToken"/>
    /// (the pod unenrolled) or by the drain deadline, at which <paramref name="accepted"/> is also reset. A handler that
    /// fails resets the socket too: an accepted connection nobody serves must never be left open (its client would
    /// wait for its own timeout) nor end with a clean FIN.
    /// </summary>
    public async Task RunAsync(Socket accepted, Func<CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _active);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _connections.Token);
            using var reset = _connections.Token.Register(static s => Reset((Socket)s!), accepted);
            await handle(linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            // the connection was aborted; its handler has said why where it could
            Reset(accepted);
        }
        catch (Exception e)
        {
            Reset(accepted);
            _failed?.Invoke(e);
        }
        finally
        {
            if (Interlocked.Decrement(ref _active) == 0 && _accepting.IsCancellationRequested)
            {
                _idle.TrySetResult();
            }
        }
    }

    public void StopAccepting() => _accepting.Cancel();

    /// <summary>
    /// Stops accepting, waits until every connection has ended or <paramref name="deadline"/> has passed, then aborts the
    /// rest. Returns how many were still open at the deadline (0: all ended by themselves).
    /// </summary>
    public async Task<int> DrainAsync(TimeSpan deadline, TimeProvider time)
    {
        StopAccepting();
        if (Active == 0)
        {
            return 0;
        }
        await Task.WhenAny(_idle.Task, Task.Delay(deadline, time)).ConfigureAwait(false);
        var remaining = Active;
        if (remaining > 0)
        {
            await _connections.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(_idle.Task, Task.Delay(TimeSpan.FromSeconds(2), time)).ConfigureAwait(false);
        }
        return remaining;
    }

    public void Dispose()
    {
        _accepting.Dispose();
        _connections.Dispose();
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already gone
        }
    }
}
