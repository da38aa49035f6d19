using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Mesh.Ztunnel.Proxy;

/// <summary>Accepts until the listener is closed (pod unenrolled) or the token fires.</summary>
public static class AcceptLoop
{
    public static async IAsyncEnumerable<Socket> AcceptAsync(Socket listener, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                yield break;
            }
            yield return accepted;
        }
    }
}
