using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// An open watch response: newline-delimited JSON watch events read as they arrive. Ends when the
/// server closes the stream (timeoutSeconds reached); throws IOException when the connection drops.
/// </summary>
public sealed class KubeWatchStream : IAsyncDisposable
{
    /// <summary>A single event larger than this is treated as a broken stream.</summary>
    public const int MaxEventBytes = 64 * 1024 * 1024;

    private readonly HttpRequestMessage _request;
    private readonly HttpResponseMessage _response;
    private readonly Stream _stream;

    internal KubeWatchStream(HttpRequestMessage request, HttpResponseMessage response, Stream stream)
    {
        _request = request;
        _response = response;
        _stream = stream;
    }

    public async IAsyncEnumerable<KubeWatchEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var events = new List<KubeWatchEvent>();
                while (TryReadLine(ref buffer, out var line))
                {
                    if (Parse(line) is { } ev)
                    {
                        events.Add(ev);
                    }
                }

                if (result.IsCompleted && !buffer.IsEmpty)
                {
                    if (Parse(buffer) is { } last)
                    {
                        events.Add(last);
                    }

                    buffer = buffer.Slice(buffer.End);
                }

                if (buffer.Length > MaxEventBytes)
                {
                    throw new IOException($"watch event larger than {MaxEventBytes} bytes without a newline");
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                foreach (var ev in events)
                {
                    yield return ev;
                }

                if (result.IsCompleted)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _response.Dispose();
        _request.Dispose();
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    /// <summary>Parses one event line; blank lines are skipped, anything else malformed throws JsonException.</summary>
    internal static KubeWatchEvent? Parse(ReadOnlySequence<byte> line)
    {
        if (IsBlank(line))
        {
            return null;
        }

        var reader = new Utf8JsonReader(line);
        reader.Read();

        var node = JsonNode.Parse(ref reader);
        if (node is not JsonObject obj || (string?)obj["type"] is not { } type || obj["object"] is not JsonObject inner)
        {
            throw new JsonException("watch event is not {\"type\": ..., \"object\": {...}}");
        }

        obj.Remove("object"); // detach so the object can be cached on its own
        return new KubeWatchEvent(type, inner);
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t' or (byte)'\n'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
