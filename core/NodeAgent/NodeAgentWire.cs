using System.Text;
using System.Text.Json;

namespace Mesh.Core.NodeAgent;

/// <summary>
/// The node agent's wire: a unix stream socket (default <see cref="DefaultSocket"/>); per connection the plugin writes
/// one request as a JSON line (UTF-8, '\n'-terminated, at most <see cref="MaxLine"/> bytes) and ztunnel writes one
/// answer line, then closes. Anything else (too long, cut short, not JSON, missing fields) gets one answer with outcome
/// <see cref="Error"/> and a message; the connection never takes the agent down. Shared by ztunnel and the plugin.
/// </summary>
public static class NodeAgentWire
{
    public const string DefaultSocket = "/var/run/mesh/cni.sock";
    public const int MaxLine = 64 * 1024;

    public const string Add = "add";
    public const string Check = "check";
    public const string Del = "del";

    /// <summary>ADD/CHECK: the pod's listeners and programs are attached.</summary>
    public const string Captured = "captured";
    /// <summary>ADD/CHECK: the pod is not to be captured (namespace not enrolled, or opted out).</summary>
    public const string NotCaptured = "not-captured";
    /// <summary>DEL done (also when the pod was unknown).</summary>
    public const string Removed = "removed";
    /// <summary>ztunnel could not decide or could not capture; <see cref="CniPodAnswer.Message"/> says why.</summary>
    public const string Error = "error";

    /// <summary>The enrollment file next to <paramref name="socket"/>: /var/run/mesh/cni.sock -> /var/run/mesh/cni.namespaces.json.</summary>
    public static string EnrollmentFile(string socket) => Path.ChangeExtension(socket, ".namespaces.json");

    public static byte[] Encode(CniPodRequest request) => Line(JsonSerializer.SerializeToUtf8Bytes(request, NodeAgentJson.Default.CniPodRequest));

    public static byte[] Encode(CniPodAnswer answer) => Line(JsonSerializer.SerializeToUtf8Bytes(answer, NodeAgentJson.Default.CniPodAnswer));

    /// <summary>Parses one request line; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static CniPodRequest? ParseRequest(ReadOnlySpan<byte> line, out string error)
    {
        CniPodRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(line, NodeAgentJson.Default.CniPodRequest);
        }
        catch (JsonException e)
        {
            error = $"request is not valid JSON: {e.Message}";
            return null;
        }
        if (request is null)
        {
            error = "request is null";
            return null;
        }
        error = request.Command is Add or Check or Del ? "" : $"unknown command '{request.Command}' (add, check or del)";
        if (error.Length == 0 && (request.Uid.Length == 0 || request.Namespace.Length == 0 || request.Name.Length == 0))
        {
            error = "uid, namespace and name must not be empty";
        }
        return error.Length == 0 ? request : null;
    }

    public static CniPodAnswer? ParseAnswer(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, NodeAgentJson.Default.CniPodAnswer);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads one line into <paramref name="buffer"/> (at most <see cref="MaxLine"/> bytes, '\n' excluded). Returns the
    /// line's length, or -1 when the peer ended before a newline (cut short), or -2 when the line is too long.
    /// </summary>
    public static async ValueTask<int> ReadLineAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        while (true)
        {
            if (filled >= buffer.Length)
            {
                return -2;
            }
            var n = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
            if (n == 0)
            {
                return -1;
            }
            var newline = Array.IndexOf(buffer, (byte)'\n', filled, n);
            filled += n;
            if (newline >= 0)
            {
                return newline;
            }
        }
    }

    private static byte[] Line(byte[] json)
    {
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    public static string Describe(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 200)]);
}
