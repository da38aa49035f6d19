namespace Mesh.ControlPlane.Kubernetes;

/// <summary>Tuning of list/watch; the defaults suit a real API server.</summary>
public sealed record KubeInformerOptions
{
    /// <summary>Items per list page (limit).</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>timeoutSeconds asked of each watch; the server then ends it cleanly and the informer re-watches.</summary>
    public int WatchTimeoutSeconds { get; init; } = 300;

    /// <summary>Client-side limit of one watch beyond its timeoutSeconds, against half-dead connections.</summary>
    public TimeSpan WatchGrace { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
