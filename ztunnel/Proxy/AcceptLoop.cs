using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Accepts until the listener is closed (pod unenrolled) or the token fires.</summary>
public static class AcceptLoop
{
    private static readonly TimeSpan OutOfDescriptorsPause = TimeSpan.FromMilliseconds(50);

    public static async IAsyncEnumerable<Socket> AcceptAsync(Socket listener, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // EMFILE/ENOBUFS: the connection waits in the backlog; the listener must outlive the shortage.
                try
                {
                    await Task.Delay(OutOfDescriptorsPause, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
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

    /// <summary>
    /// Accepts and admits each connection against the pod's and the node's budget: an admitted one comes with its
    /// lease (dispose it when the connection ends); a refused one is reset at once and reported.
    /// </summary>
    public static async IAsyncEnumerable<(Socket Socket, IDisposable Lease)> AcceptAdmittedAsync(
        Socket listener, string pod, ConnectionBudget budget, RefusalReporter refusals, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var socket in AcceptAsync(listener, cancellationToken).ConfigureAwait(false))
        {
            var lease = budget.TryAcquire(pod, null, out var reason);
            if (lease is null)
            {
                refusals.Refused(reason, pod, SafeRemote(socket));
                SocketReset.Reset(socket);
                continue;
            }
            yield return (socket, lease);
        }
    }

    private static System.Net.EndPoint? SafeRemote(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
