namespace Mesh.Core;

/// <summary>The project's label prefix, API group and well-known names, chosen once and used everywhere.</summary>
public static class MeshLabels
{
    public const string Prefix = "mesh.dev";
    public const string DataplaneMode = Prefix + "/dataplane-mode";
    public const string DataplaneModeAmbient = "ambient";
    public const string DataplaneModeNone = "none";
    public const string UseWaypoint = Prefix + "/use-waypoint";
    public const string SecurityApiGroup = "security." + Prefix;
    public const string WaypointGatewayClass = "mesh-waypoint";
    public const string DefaultTrustDomain = "cluster.local";
}
