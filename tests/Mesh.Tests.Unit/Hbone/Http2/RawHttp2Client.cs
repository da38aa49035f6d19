using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Mesh.Core.Hbone.Hpack;
using Mesh.Core.Hbone.Http2;

namespace Mesh.Tests.Unit.Hbone.Http2;

/// <summary>
/// A client that writes HTTP/2 frames as given, ignoring the server's limits (as an attacker does), against a server
/// <see cref="Http2Connection"/> on loopback; reads the server's frames back.
/// </summary>
internal sealed class RawHttp2Client : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly HpackEncoder _encoder = new();

    private RawHttp2Client(Socket socket, Http2Connection server)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Server = server;
    }

    public Http2Connection Server { get; }

    /// <summary>How the last <see cref="ReadUntilClosedAsync"/> ended: "closed" (FIN), "reset" (RST), "still open", or the error.</summary>
    public string? Ending { get; private set; }

    /// <summary>Ends the client's sending side (FIN), as a peer done writing does.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public static async Task<RawHttp2Client> StartAsync(Http2Options serverOptions, Func<Http2Stream, Task> onStream)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync();
        await socket.ConnectAsync(listener.LocalEndPoint!);
        var server = Http2Connection.CreateServer(new NetworkStream(await accept, ownsSocket: true), serverOptions, onStream);
        var client = new RawHttp2Client(socket, server);
        await client.WriteAsync([.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, .. Frame(Http2FrameType.Settings, 0, 0, [])]);
        await server.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        return client;
    }

    public byte[] ConnectHeaders(int streamId)
    {
        var block = new ArrayBufferWriter<byte>();
        _encoder.Encode([new(":method", "CONNECT"), new(":authority", "10.0.0.1:80")], block);
        return Frame(Http2FrameType.Headers, Http2Flags.EndHeaders, streamId, block.WrittenSpan);
    }

    public static byte[] RstStream(int streamId, Http2ErrorCode code)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)code);
        return Frame(Http2FrameType.RstStream, 0, streamId, payload);
    }

    public async Task WriteAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The server's frames (type, stream, first 4 payload bytes as a code: RST_STREAM's, or GOAWAY's error) until it closes.</summary>
    public async Task<List<(Http2FrameType Type, int Stream, uint Code)>> ReadUntilClosedAsync(TimeSpan patience, Func<List<(Http2FrameType Type, int Stream, uint Code)>, bool>? enough = null)
    {
        var frames = new List<(Http2FrameType, int, uint)>();
        var header = new byte[9];
        using var cts = new CancellationTokenSource(patience);
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(header, cts.Token);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var payload = new byte[length];
                await _stream.ReadExactlyAsync(payload, cts.Token);
                var type = (Http2FrameType)header[3];
                var stream = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7fffffff);
                var code = type switch
                {
                    Http2FrameType.RstStream => BinaryPrimitives.ReadUInt32BigEndian(payload),
                    Http2FrameType.GoAway => BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)),
                    _ => 0u,
                };
                frames.Add((type, stream, code));
                if (enough?.Invoke(frames) == true)
                {
                    return frames;
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException)
        {
            Ending = e switch
            {
                EndOfStreamException => "closed",
                IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } } => "reset",
                OperationCanceledException => "still open",
                _ => e.Message,
            };
            return frames;
        }
    }

    public static byte[] Frame(Http2FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = (byte)type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)streamId);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
        await Server.DisposeAsync();
    }
}
