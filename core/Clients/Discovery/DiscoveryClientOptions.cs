using Mesh.Core.Identity;

namespace Mesh.Core.Discovery;

/// <summary>Options of <see cref="DiscoveryClient"/>: where the control plane is and which view to ask for.</summary>
public sealed record DiscoveryClientOptions
{
    public required ControlPlaneClientOptions ControlPlane { get; init; }
    /// <summary>False (ztunnel): the node view. True (waypoint): everything, including HTTPRoutes.</summary>
    public bool FullView { get; init; }
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
}
