using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Mesh.Core.Net;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// The accept loop of a pod's listeners (15001, 15006, 15008): <see cref="SocketAccept"/> until the listener is closed
/// (pod unenrolled), the token fires or the drain stops accepting; each connection admitted against the budgets.
/// </summary>
public static class AcceptLoop
{
    /// <summary>
    /// Serves <paramref name="listener"/> of <paramref name="pod"/>: each admitted connection is handled under
    /// <paramref name="drain"/> (counted, reset at the drain deadline) and its budget lease released when
    /// <paramref name="handle"/> ends.
    /// </summary>
    public static async Task ServeAsync(Socket listener, PodListeners pod, ProxyInputs inputs, ConnectionDrain drain,
        Func<Socket, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, drain.Accepting);
        await foreach (var (socket, lease) in AcceptAdmittedAsync(listener, pod.Pod.Uid, inputs.Budget, inputs.Refusals, accepting.Token).ConfigureAwait(false))
        {
            _ = drain.RunAsync(socket, async ct =>
            {
                using var _ = lease;
                await handle(socket, ct).ConfigureAwait(false);
            }, cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="carry"/> and disposes <paramref name="client"/>; resets it first when it was not carried (false).</summary>
    public static async Task CarryOrResetAsync(Socket client, Func<CancellationToken, Task<bool>> carry, CancellationToken cancellationToken)
    {
        using var _ = client;
        if (!await carry(cancellationToken).ConfigureAwait(false))
        {
            SocketReset.Reset(client);
        }
    }

    /// <summary>
    /// Accepts and admits each connection against the pod's and the node's budget: an admitted one comes with its
    /// lease (dispose it when the connection ends); a refused one is reset at once and reported.
    /// </summary>
    public static async IAsyncEnumerable<(Socket Socket, IDisposable Lease)> AcceptAdmittedAsync(
        Socket listener, string pod, ConnectionBudget budget, RefusalReporter refusals, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var socket in SocketAccept.AcceptAllAsync(listener, cancellationToken).ConfigureAwait(false))
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
