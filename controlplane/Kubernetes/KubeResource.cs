using Mesh.Core;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>A Kubernetes resource the control plane lists and watches across all namespaces.</summary>
public sealed record KubeResource(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public static readonly KubeResource Namespaces = new("", "v1", "namespaces", "Namespace", Namespaced: false);
    public static readonly KubeResource Pods = new("", "v1", "pods", "Pod", Namespaced: true);
    public static readonly KubeResource Services = new("", "v1", "services", "Service", Namespaced: true);
    public static readonly KubeResource EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", Namespaced: true);
    public static readonly KubeResource Gateways = new("gateway.networking.k8s.io", "v1", "gateways", "Gateway", Namespaced: true);
    public static readonly KubeResource HttpRoutes = new("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", Namespaced: true);
    public static readonly KubeResource GrpcRoutes = new("gateway.networking.k8s.io", "v1", "grpcroutes", "GRPCRoute", Namespaced: true);
    public static readonly KubeResource AuthorizationPolicies = new(MeshLabels.SecurityApiGroup, "v1", "authorizationpolicies", "AuthorizationPolicy", Namespaced: true);

    // Written (and Deployments watched) by the waypoint controller; not read by the translation.
    public static readonly KubeResource Deployments = new("apps", "v1", "deployments", "Deployment", Namespaced: true);
    public static readonly KubeResource ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount", Namespaced: true);
    public static readonly KubeResource ConfigMaps = new("", "v1", "configmaps", "ConfigMap", Namespaced: true);
    // Watched by the CA when its intermediate comes from a Secret (--ca-secret).
    public static readonly KubeResource Secrets = new("", "v1", "secrets", "Secret", Namespaced: true);

    /// <summary>Everything the mesh translation reads, in the order it is listed at startup.</summary>
    public static IReadOnlyList<KubeResource> All { get; } =
        [Namespaces, Pods, Services, EndpointSlices, Gateways, HttpRoutes, GrpcRoutes, AuthorizationPolicies];

    /// <summary>"v1" for the core group, otherwise "group/version".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The cluster-wide collection path, e.g. /api/v1/pods or /apis/discovery.k8s.io/v1/endpointslices.</summary>
    public string CollectionPath => Group.Length == 0 ? $"/api/{Version}/{Plural}" : $"/apis/{Group}/{Version}/{Plural}";

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
