using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// The lab's node authentication: a JSON file {"node": "token", ...} written by the lab/integrator
/// (<c>--node-tokens FILE</c>). Re-read when its modification time changes; tokens compared in constant time.
/// </summary>
public sealed class NodeTokenAuthenticator : INodeAuthenticator
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private (DateTime Mtime, KeyValuePair<string, byte[]>[] Tokens) _loaded = (DateTime.MinValue, []);

    public NodeTokenAuthenticator(string path)
    {
        _path = path;
        if (!File.Exists(path))
        {
            throw new CaException($"node tokens file '{path}' does not exist; write JSON {{\"<node>\": \"<token>\"}} there (the lab does) or pass another --node-tokens");
        }
        Load();
    }

    public ValueTask<NodeAuthentication> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(bearerToken))
        {
            return ValueTask.FromResult(NodeAuthentication.Failure("no bearer token: send 'Authorization: Bearer <node token>'"));
        }
        var given = Encoding.UTF8.GetBytes(bearerToken);
        string? node = null;
        foreach (var (n, token) in Load())
        {
            if (CryptographicOperations.FixedTimeEquals(given, token))
            {
                node = n;
            }
        }
        return ValueTask.FromResult(node is null
            ? NodeAuthentication.Failure("the bearer token belongs to no node (unknown node or bad token)")
            : NodeAuthentication.Success(node));
    }

    private KeyValuePair<string, byte[]>[] Load()
    {
        DateTime mtime;
        try
        {
            mtime = File.GetLastWriteTimeUtc(_path);
        }
        catch (IOException)
        {
            return _loaded.Tokens;
        }
        lock (_lock)
        {
            if (mtime == _loaded.Mtime)
            {
                return _loaded.Tokens;
            }
            try
            {
                var map = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(_path)) ?? [];
                _loaded = (mtime, [.. map.Where(kv => kv.Value.Length > 0).Select(kv => KeyValuePair.Create(kv.Key, Encoding.UTF8.GetBytes(kv.Value)))]);
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                if (_loaded.Mtime == DateTime.MinValue)
                {
                    throw new CaException($"node tokens file '{_path}' is not JSON {{\"<node>\": \"<token>\"}}: {e.Message}", e);
                }
            }
            return _loaded.Tokens;
        }
    }
}
