using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Mesh.Core.Net;

/// <summary>
/// The one accept loop of every listener (ztunnel's pod listeners, its node agent socket, the telemetry server):
/// accepts until the listener is closed or the token fires. Out of descriptors or buffers (EMFILE, ENFILE, ENOBUFS),
/// the connection waits in the backlog and the loop pauses instead of spinning; a connection lost before it was
/// accepted (the errors accept(2) passes on from the new socket) is skipped; any other error means the listener is
/// gone and the loop ends.
/// </summary>
public static class SocketAccept
{
    /// <summary>How long the loop waits for descriptors to free up before it accepts again.</summary>
    public static readonly TimeSpan OutOfDescriptorsPause = TimeSpan.FromMilliseconds(50);

    public static async IAsyncEnumerable<Socket> AcceptAllAsync(Socket listener, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (Next(e.SocketErrorCode) is var next && next != AcceptNext.Stop && !cancellationToken.IsCancellationRequested)
            {
                if (next == AcceptNext.Pause)
                {
                    try
                    {
                        await Task.Delay(OutOfDescriptorsPause, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }
                }
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                yield break;
            }
            yield return accepted;
        }
    }

    /// <summary>What an accept that failed with <paramref name="error"/> asks of the loop. Pure.</summary>
    public static AcceptNext Next(SocketError error) => error switch
    {
        SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable => AcceptNext.Pause,
        SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted or SocketError.NetworkDown
            or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.HostUnreachable => AcceptNext.Retry,
        _ => AcceptNext.Stop,
    };
}
