using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Bench.LoadGen;

/// <summary>One keep-alive HTTP/1.1 connection: send a GET, read one whole response (Content-Length or chunked).</summary>
internal sealed class Http1Connection : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly byte[] _request;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private Socket? _socket;
    private int _start;
    private int _end;

    public Http1Connection(IPEndPoint target, string path)
    {
        _target = target;
        _request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: mesh-loadgen\r\n\r\n");
    }

    /// <summary>Sends one request and reads its response; returns the status code (0 on a broken connection).</summary>
    public async Task<int> RoundTripAsync(CancellationToken ct)
    {
        var reused = _socket is not null;
        var status = await TryRoundTripAsync(ct);
        // A keep-alive connection the server closed while idle: retry once on a new one.
        return status == 0 && reused ? await TryRoundTripAsync(ct) : status;
    }

    private async Task<int> TryRoundTripAsync(CancellationToken ct)
    {
        try
        {
            if (_socket is null)
            {
                _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await _socket.ConnectAsync(_target, ct);
                _start = _end = 0;
            }
            await _socket.SendAsync(_request, SocketFlags.None, ct);
            return await ReadResponseAsync(ct);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
        {
            _socket?.Dispose();
            _socket = null;
            return 0;
        }
    }

    private async Task<int> ReadResponseAsync(CancellationToken ct)
    {
        var headerEnd = await FillUntilAsync("\r\n\r\n"u8.ToArray(), ct);
        var head = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
        _start = headerEnd + 4;
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        long length = -1;
        var chunked = false;
        var close = lines[0].StartsWith("HTTP/1.0", StringComparison.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            if (name.Equals("connection", StringComparison.OrdinalIgnoreCase)) close = value.Equals("close", StringComparison.OrdinalIgnoreCase);
            if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase)) chunked = true;
        }
        if (chunked)
        {
            while (true)
            {
                var lineEnd = await FillUntilAsync("\r\n"u8.ToArray(), ct);
                var size = Convert.ToInt64(Encoding.ASCII.GetString(_buffer, _start, lineEnd - _start).Split(';')[0], 16);
                _start = lineEnd + 2;
                await SkipAsync(size + 2, ct);
                if (size == 0) break;
            }
        }
        else if (length > 0)
        {
            await SkipAsync(length, ct);
        }
        if (close)
        {
            _socket?.Dispose();
            _socket = null;
        }
        return status;
    }

    private async Task SkipAsync(long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                await ReceiveAsync(ct);
            }
            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async Task<int> FillUntilAsync(byte[] marker, CancellationToken ct)
    {
        while (true)
        {
            var idx = _buffer.AsSpan(_start, _end - _start).IndexOf(marker);
            if (idx >= 0) return _start + idx;
            await ReceiveAsync(ct);
        }
    }

    private async Task ReceiveAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) throw new InvalidDataException("response header larger than 64 KiB");
        var n = await _socket!.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct);
        if (n == 0) throw new IOException("connection closed by server");
        _end += n;
    }

    public ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        return ValueTask.CompletedTask;
    }
}
