using System.Net.Sockets;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// While ztunnel dials on a client's behalf, watches the client's socket: its token fires when the client leaves
/// (FIN or RST) or the outer token fires, so the dial is cancelled instead of finishing for nobody. Once the client
/// sends data it is clearly still there and the watch ends (the dial's timeout still bounds it).
/// </summary>
public sealed class ClientWatch : IDisposable
{
    private readonly CancellationTokenSource _gone;
    private readonly CancellationTokenSource _stop = new();

    private ClientWatch(CancellationToken outer) => _gone = CancellationTokenSource.CreateLinkedTokenSource(outer);

    public CancellationToken Token => _gone.Token;

    public static ClientWatch Start(Socket client, CancellationToken outer)
    {
        var watch = new ClientWatch(outer);
        _ = watch.RunAsync(client);
        return watch;
    }

    private async Task RunAsync(Socket client)
    {
        bool left;
        try
        {
            // A zero-byte read completes on data, FIN (Available == 0) or RST (throws) and consumes nothing.
            await client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            left = client.Available == 0;
        }
        catch (SocketException)
        {
            left = true;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }
        if (left)
        {
            try
            {
                _gone.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _stop.Dispose();
        _gone.Dispose();
    }
}
