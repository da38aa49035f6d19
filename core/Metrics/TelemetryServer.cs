using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Core.Net;

namespace Mesh.Core.Metrics;

/// <summary>
/// A minimal HTTP/1.1 server on a plain socket for the metrics (15020) and readiness (15021) endpoints: GET and
/// HEAD only, no request bodies, keep-alive, at most <see cref="MaxConnections"/> connections, an 8 KiB request
/// head, and an idle timeout. Small on purpose: it costs one listening socket and one 8 KiB buffer per scrape
/// connection, no Kestrel. The listener may be created by the caller (e.g. inside a network namespace).
/// </summary>
public sealed class TelemetryServer : IAsyncDisposable
{
    public const int MaxConnections = 32;
    private const int MaxHead = 8192;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly Socket _listener;
    private readonly Dictionary<string, Func<ValueTask<TelemetryResponse>>> _routes;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections, MaxConnections);
    private Task? _acceptLoop;

    /// <summary>Serves <paramref name="routes"/> (path without query -> handler) on a bound, listening socket.</summary>
    public TelemetryServer(Socket listener, IEnumerable<KeyValuePair<string, Func<ValueTask<TelemetryResponse>>>> routes)
    {
        _listener = listener;
        _routes = routes.ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Binds <paramref name="endPoint"/> and starts serving. Throws <see cref="MetricsException"/> when the port is taken.</summary>
    public static TelemetryServer Start(IPEndPoint endPoint, IEnumerable<KeyValuePair<string, Func<ValueTask<TelemetryResponse>>>> routes)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Plain SO_REUSEADDR (restart past TIME_WAIT); .NET's ReuseAddress would also set SO_REUSEPORT on Linux.
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            socket.Bind(endPoint);
            socket.Listen(64);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new MetricsException(
                $"cannot listen on {endPoint} for metrics/readiness ({e.SocketErrorCode}); stop the process that holds the port or choose another one", e);
        }
        var server = new TelemetryServer(socket, routes);
        server.Start();
        return server;
    }

    public void Start() => _acceptLoop ??= Task.Run(AcceptConnectionsAsync);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        foreach (var s in _connections.Keys)
        {
            s.Dispose();
        }
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stop.Dispose();
        _slots.Dispose();
    }

    private async Task AcceptConnectionsAsync()
    {
        await foreach (var client in SocketAccept.AcceptAllAsync(_listener, _stop.Token).ConfigureAwait(false))
        {
            if (!_slots.Wait(0))
            {
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            _connections[client] = ServeAndRelease(client);
        }
    }

    private async Task ServeAndRelease(Socket client)
    {
        // Return to the accept loop first, so the connection is registered before it can finish.
        await Task.Yield();
        try
        {
            await Serve(client).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The peer went away, was idle too long, or the server is stopping.
        }
        finally
        {
            client.Dispose();
            _connections.TryRemove(client, out _);
            if (!_stop.IsCancellationRequested)
            {
                _slots.Release();
            }
        }
    }

    private async Task Serve(Socket client)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxHead);
        try
        {
            var filled = 0;
            while (true)
            {
                int end;
                while ((end = buffer.AsSpan(0, filled).IndexOf(HeadEnd)) < 0)
                {
                    if (filled >= MaxHead)
                    {
                        await Send(client, TelemetryResponse.Text(431, "request head too large\n"), head: false, keepAlive: false).ConfigureAwait(false);
                        await LingeringClose(client, buffer).ConfigureAwait(false);
                        return;
                    }
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    idle.CancelAfter(IdleTimeout);
                    var n = await client.ReceiveAsync(buffer.AsMemory(filled, MaxHead - filled), SocketFlags.None, idle.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        return;
                    }
                    filled += n;
                }
                var request = HttpRequestHead.Parse(Encoding.ASCII.GetString(buffer, 0, end));
                var consumed = end + HeadEnd.Length;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;

                var response = await RespondAsync(request).ConfigureAwait(false);
                var keepAlive = request.Valid && !request.HasBody && request.KeepAlive;
                await Send(client, response, request.Method == "HEAD", keepAlive).ConfigureAwait(false);
                if (!keepAlive)
                {
                    await LingeringClose(client, buffer).ConfigureAwait(false);
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Half-closes, then reads and drops what the client still sends (bounded in bytes and time), so unread
    /// request bytes do not turn the close into a reset that destroys the response in flight.
    /// </summary>
    private async Task LingeringClose(Socket client, byte[] scratch)
    {
        client.Shutdown(SocketShutdown.Send);
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        linger.CancelAfter(TimeSpan.FromSeconds(2));
        var budget = 1 << 20;
        while (budget > 0)
        {
            var n = await client.ReceiveAsync(scratch.AsMemory(0, MaxHead), SocketFlags.None, linger.Token).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }
            budget -= n;
        }
    }

    private async ValueTask<TelemetryResponse> RespondAsync(HttpRequestHead request)
    {
        if (!request.Valid || request.HasBody)
        {
            return TelemetryResponse.Text(400, "bad request\n");
        }
        if (request.Method is not ("GET" or "HEAD"))
        {
            return TelemetryResponse.Text(405, "only GET and HEAD\n");
        }
        if (!_routes.TryGetValue(request.Path, out var handler))
        {
            return TelemetryResponse.Text(404, "not found\n");
        }
        try
        {
            return await handler().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return TelemetryResponse.Text(500, $"internal error: {e.GetType().Name}\n");
        }
    }

    private static async Task Send(Socket client, TelemetryResponse response, bool head, bool keepAlive)
    {
        var header = new StringBuilder(160)
            .Append("HTTP/1.1 ").Append(response.Status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Reason(response.Status)).Append("\r\n")
            .Append("Content-Type: ").Append(response.ContentType).Append("\r\n")
            .Append("Content-Length: ").Append(response.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        if (!keepAlive)
        {
            header.Append("Connection: close\r\n");
        }
        header.Append("\r\n");
        var headerBytes = Encoding.ASCII.GetBytes(header.ToString());
        if (head || response.Body.Length == 0)
        {
            await client.SendAsync(headerBytes, SocketFlags.None).ConfigureAwait(false);
            return;
        }
        await client.SendAsync(new List<ArraySegment<byte>> { headerBytes, response.Body }, SocketFlags.None).ConfigureAwait(false);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
