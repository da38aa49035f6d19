namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Supplies the bearer token for each request. A token file is re-read when the cached copy is
/// older than the refresh interval (kubelet rotates projected tokens well before they expire), so
/// a rotated token is picked up without a restart. A fixed token never changes.
/// </summary>
public sealed class KubeTokenSource
{
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromMinutes(1);

    private readonly string? _fixedToken;
    private readonly string? _tokenFile;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshInterval;
    private readonly Lock _lock = new();
    private string? _cached;
    private DateTimeOffset _readAt;

    public KubeTokenSource(string? fixedToken, string? tokenFile, TimeProvider time, TimeSpan? refreshInterval = null)
    {
        _fixedToken = fixedToken;
        _tokenFile = tokenFile;
        _time = time;
        _refreshInterval = refreshInterval ?? DefaultRefreshInterval;
    }

    public static KubeTokenSource For(KubeClientConfig config, TimeProvider time) =>
        new(config.Token, config.TokenFile, time);

    /// <summary>The current token, or null when the config has no token authentication.</summary>
    public string? GetToken()
    {
        if (_tokenFile is null)
        {
            return _fixedToken;
        }

        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_cached is null || now - _readAt >= _refreshInterval)
            {
                try
                {
                    _cached = File.ReadAllText(_tokenFile).Trim();
                    _readAt = now;
                }
                catch (IOException) when (_cached is not null)
                {
                    // Keep the last token while the kubelet swaps the file; retry on the next request.
                }
            }

            return _cached;
        }
    }
}
