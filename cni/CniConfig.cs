using System.Net;
using System.Text.Json;

namespace Mesh.Cni;

/// <summary>
/// The network configuration on stdin for one plugin of a chain: <c>cniVersion</c>, <c>name</c>, <c>type</c>
/// (mesh-cni), the plugin's own <c>nodeAgentSocket</c> (default <see cref="Core.NodeAgent.NodeAgentWire.DefaultSocket"/>)
/// and <c>timeoutSeconds</c> (default 20), and, injected by the runtime, <c>prevResult</c>: the result of the plugins
/// before us, passed on unchanged as our result. Pure parsing with <see cref="JsonDocument"/> (no reflection).
/// </summary>
public sealed class CniConfig : IDisposable
{
    public static readonly string[] SupportedVersions = ["0.3.0", "0.3.1", "0.4.0", "1.0.0"];

    private readonly JsonDocument _document;

    private CniConfig(JsonDocument document, string version, string name, string socket, TimeSpan timeout)
    {
        _document = document;
        CniVersion = version;
        Name = name;
        NodeAgentSocket = socket;
        Timeout = timeout;
    }

    public string CniVersion { get; }
    public string Name { get; }
    public string NodeAgentSocket { get; }
    public TimeSpan Timeout { get; }

    public JsonElement? PrevResult =>
        _document.RootElement.TryGetProperty("prevResult", out var p) && p.ValueKind == JsonValueKind.Object ? p : null;

    /// <summary>The addresses in prevResult.ips[].address ("198.18.1.2/24" -> 198.18.1.2).</summary>
    public IReadOnlyList<string> PrevResultIps()
    {
        var result = new List<string>();
        if (PrevResult is not { } prev || !prev.TryGetProperty("ips", out var ips) || ips.ValueKind != JsonValueKind.Array)
        {
            return result;
        }
        foreach (var ip in ips.EnumerateArray())
        {
            if (ip.ValueKind != JsonValueKind.Object || !ip.TryGetProperty("address", out var a) || a.ValueKind != JsonValueKind.String)
            {
                throw new CniException(CniException.InvalidConfig, "prevResult.ips[] entries need an 'address' such as 198.18.1.2/24");
            }
            var text = a.GetString()!;
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var addr = slash < 0 ? text : text[..slash];
            if (!IPAddress.TryParse(addr, out var parsed))
            {
                throw new CniException(CniException.InvalidConfig, $"prevResult.ips[].address '{text}' is not an IP address with a prefix length");
            }
            result.Add(parsed.ToString());
        }
        return result;
    }

    public static CniConfig Parse(ReadOnlySpan<byte> stdin)
    {
        if (stdin.IsEmpty)
        {
            throw new CniException(CniException.DecodeFailure, "no network configuration on stdin; the runtime passes the plugin's config as JSON");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stdin.ToArray());
        }
        catch (JsonException e)
        {
            throw new CniException(CniException.DecodeFailure, $"the network configuration on stdin is not JSON: {e.Message}");
        }
        try
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CniException(CniException.DecodeFailure, "the network configuration must be a JSON object");
            }
            var version = String(root, "cniVersion") ?? throw new CniException(CniException.InvalidConfig, "cniVersion is missing from the network configuration");
            if (!SupportedVersions.Contains(version, StringComparer.Ordinal))
            {
                throw new CniException(CniException.IncompatibleVersion, $"cniVersion {version} is not supported; use one of {string.Join(", ", SupportedVersions)}");
            }
            var name = String(root, "name") ?? throw new CniException(CniException.InvalidConfig, "name is missing from the network configuration");
            var socket = String(root, "nodeAgentSocket") ?? Core.NodeAgent.NodeAgentWire.DefaultSocket;
            if (!socket.StartsWith('/'))
            {
                throw new CniException(CniException.InvalidConfig, $"nodeAgentSocket '{socket}' must be an absolute path (ztunnel's --cni-socket)");
            }
            var timeout = TimeSpan.FromSeconds(20);
            if (root.TryGetProperty("timeoutSeconds", out var t))
            {
                if (t.ValueKind != JsonValueKind.Number || !t.TryGetDouble(out var seconds) || seconds <= 0 || seconds > 300)
                {
                    throw new CniException(CniException.InvalidConfig, "timeoutSeconds must be a number of seconds between 0 and 300");
                }
                timeout = TimeSpan.FromSeconds(seconds);
            }
            return new CniConfig(doc, version, name, socket, timeout);
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }

    public void Dispose() => _document.Dispose();

    private static string? String(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v))
        {
            return null;
        }
        return v.ValueKind == JsonValueKind.String ? v.GetString()
            : throw new CniException(CniException.InvalidConfig, $"{name} must be a string");
    }
}
