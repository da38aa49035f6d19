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

    /// <summary>Authorization policies in this namespace apply to every workload of the mesh (Istio's root namespace).</summary>
    public const string RootNamespace = "mesh-system";

    /// <summary>
    /// Peer authentication mode of a pod (<c>strict</c> or <c>permissive</c>); a namespace label of the same name is
    /// the default for its pods. STRICT refuses plaintext captured on 15006; PERMISSIVE (the default) lets it reach policy.
    /// </summary>
    public const string MtlsMode = Prefix + "/mtls-mode";
    public const string MtlsModeStrict = "strict";
    public const string MtlsModePermissive = "permissive";
}
