using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Tests.Common.Otlp;

/// <summary>
/// A real OTLP/HTTP trace receiver for tests, on a listening socket the test made (e.g. inside a lab pod's network
/// namespace, so the proxy reaches it on that pod's loopback): HTTP/1.1 with keep-alive, <c>POST /v1/traces</c> with a
/// protobuf <c>ExportTraceServiceRequest</c> (Content-Length or chunked) answered 200 with an empty
/// <c>ExportTraceServiceResponse</c>; any other request 404. Decoded spans (<see cref="OtlpTraceDecoder"/>) accumulate in
/// <see cref="Spans"/>; a body that does not decode is kept in <see cref="Errors"/> and answered 400.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<OtlpSpan> _spans = [];
    private readonly List<string> _errors = [];
    private readonly Task _accepting;

    private OtlpTraceReceiver(Socket listener)
    {
        _listener = listener;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Serves on <paramref name="listener"/>, bound and listening; the receiver owns it from now on.</summary>
    public static OtlpTraceReceiver Start(Socket listener) => new(listener);

    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans];
            }
        }
    }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_lock)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds for the spans received (false when <paramref name="timeout"/> passes first).</summary>
    public async Task<bool> WaitForAsync(Func<IReadOnlyList<OtlpSpan>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done(Spans))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(100);
        }
        return true;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        var reader = new HttpReader(stream);
        try
        {
            while (await reader.ReadHeadAsync(_stop.Token) is { } head)
            {
                var body = await reader.ReadBodyAsync(head, _stop.Token);
                var (status, reply) = Handle(head, body);
                var response = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {status} {reply}\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n");
                await stream.WriteAsync(response, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or FormatException)
        {
        }
    }

    private (int, string) Handle(HttpReader.Head head, byte[] body)
    {
        if (head.Method != "POST" || head.Path != "/v1/traces")
        {
            return (404, "Not Found");
        }
        try
        {
            var spans = OtlpTraceDecoder.Decode(body);
            lock (_lock)
            {
                _spans.AddRange(spans);
            }
            return (200, "OK");
        }
        catch (FormatException e)
        {
            lock (_lock)
            {
                _errors.Add($"{e.Message}: {Convert.ToHexString(body)}");
            }
            return (400, "Bad Request");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
    }

    /// <summary>HTTP/1.1 request heads and bodies (Content-Length or chunked) from one connection.</summary>
    private sealed class HttpReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public sealed record Head(string Method, string Path, long? ContentLength, bool Chunked);

        public async Task<Head?> ReadHeadAsync(CancellationToken ct)
        {
            var lines = new List<string>();
            while (true)
            {
                var line = await ReadLineAsync(ct);
                if (line is null)
                {
                    return null;
                }
                if (line.Length == 0)
                {
                    break;
                }
                lines.Add(line);
            }
            var request = lines[0].Split(' ');
            long? length = null;
            var chunked = false;
            foreach (var h in lines.Skip(1))
            {
                var colon = h.IndexOf(':', StringComparison.Ordinal);
                var name = h[..colon].Trim();
                var value = h[(colon + 1)..].Trim();
                if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
                {
                    length = long.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
                }
            }
            return new Head(request[0], request[1], length, chunked);
        }

        public async Task<byte[]> ReadBodyAsync(Head head, CancellationToken ct)
        {
            using var body = new MemoryStream();
            if (head.Chunked)
            {
                while (true)
                {
                    var size = int.Parse((await ReadLineAsync(ct) ?? throw new IOException("end inside a chunked body")).Split(';')[0],
                        NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (size == 0)
                    {
                        while (!string.IsNullOrEmpty(await ReadLineAsync(ct)))
                        {
                        }
                        return body.ToArray();
                    }
                    await CopyAsync(body, size, ct);
                    await ReadLineAsync(ct);
                }
            }
            await CopyAsync(body, head.ContentLength ?? 0, ct);
            return body.ToArray();
        }

        private async Task CopyAsync(MemoryStream to, long n, CancellationToken ct)
        {
            while (n > 0)
            {
                if (_start == _end && !await FillAsync(ct))
                {
                    throw new IOException("end inside a body");
                }
                var take = (int)Math.Min(n, _end - _start);
                to.Write(_buffer, _start, take);
                _start += take;
                n -= take;
            }
        }

        private async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_start == _end && !await FillAsync(ct))
                {
                    return line.Length == 0 ? null : throw new IOException("end inside a line");
                }
                var b = _buffer[_start++];
                if (b == '\n')
                {
                    return line.ToString().TrimEnd('\r');
                }
                line.Append((char)b);
            }
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            return _end > 0;
        }
    }
}
