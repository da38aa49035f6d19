namespace Mesh.ControlPlane.Waypoints;

/// <summary>What every waypoint Deployment the controller creates shares: the image and how it reaches the control plane.</summary>
public sealed record WaypointSettings
{
    /// <summary>The image `make images` builds (mesh/waypoint:&lt;appVersion&gt;); the chart passes its own with --waypoint-image.</summary>
    public const string DefaultImage = "mesh/waypoint:0.1.0";

    public string Image { get; init; } = DefaultImage;

    public string PullPolicy { get; init; } = "IfNotPresent";

    /// <summary>The control plane's namespace; its Service <c>controlplane</c> there serves the CA and discovery.</summary>
    public string ControlPlaneNamespace { get; init; } = Mesh.Core.MeshLabels.RootNamespace;

    public int ControlPlanePort { get; init; } = 15012;

    public string TrustDomain { get; init; } = Mesh.Core.MeshLabels.DefaultTrustDomain;

    /// <summary>The audience of the projected service account token the waypoint presents (the control plane's TokenReview checks it).</summary>
    public string TokenAudience { get; init; } = Kubernetes.TokenReviewOptions.DefaultAudience;

    /// <summary>https://controlplane.NS.svc:15012, a name the control plane's serving certificate carries.</summary>
    public string ControlPlaneUrl => $"https://controlplane.{ControlPlaneNamespace}.svc:{ControlPlanePort}";
}
