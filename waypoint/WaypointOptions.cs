using System.Net;
using Mesh.Core.Identity;
using Mesh.Core.Model;

namespace Mesh.Waypoint;

/// <summary>
/// The waypoint's settings: flags, each with an environment fallback (what a Kubernetes Deployment or the lab
/// sets for the pod). The identity is the pod's service account in its namespace; the Gateway it serves is
/// <see cref="Gateway"/> in the same namespace.
/// </summary>
public sealed record WaypointOptions
{
    public required Uri ControlPlane { get; init; }
    public required string RootCertFile { get; init; }
    public required string TokenFile { get; init; }
    public required string Node { get; init; }
    public required string Namespace { get; init; }
    public required string ServiceAccount { get; init; }
    public required string Gateway { get; init; }
    public string TrustDomain { get; init; } = Mesh.Core.MeshLabels.DefaultTrustDomain;
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;
    public int HbonePort { get; init; } = 15008;

    public SpiffeId Identity => new(TrustDomain, Namespace, ServiceAccount);
    public NamespacedName GatewayKey => new(Namespace, Gateway);

    public const string Usage =
        "usage: waypoint --control-plane https://HOST:15012 (or MESH_CONTROL_PLANE) --root-cert FILE (MESH_ROOT_CERT) " +
        "--token-file FILE (MESH_TOKEN_FILE) [--node NODE (NODE_NAME)] [--namespace NS (POD_NAMESPACE)] " +
        "[--service-account SA (SERVICE_ACCOUNT)] [--gateway NAME (GATEWAY_NAME)] [--listen IP] [--hbone-port 15008] [--trust-domain TD]";

    public static WaypointOptions Parse(IReadOnlyList<string> args, Func<string, string?> env)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new WaypointConfigException($"'{args[i]}' needs a value; {Usage}");
            }
            values[args[i][2..]] = args[++i];
        }
        string Required(string key, string variable, string what) =>
            values.Remove(key, out var v) && v.Length > 0 ? v
            : env(variable) is { Length: > 0 } e ? e
            : throw new WaypointConfigException($"--{key} (or ${variable}) is required: {what}");
        var cp = Required("control-plane", "MESH_CONTROL_PLANE", "the control plane address, e.g. https://198.19.0.1:15012");
        if (!Uri.TryCreate(cp, UriKind.Absolute, out var cpUri) || cpUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new WaypointConfigException($"--control-plane '{cp}' must be an https:// URL, e.g. https://198.19.0.1:15012");
        }
        var ns = Required("namespace", "POD_NAMESPACE", "the namespace of the waypoint's Gateway");
        var gateway = Required("gateway", "GATEWAY_NAME", "the name of the Gateway (class mesh-waypoint) this waypoint serves");
        var options = new WaypointOptions
        {
            ControlPlane = cpUri,
            RootCertFile = Required("root-cert", "MESH_ROOT_CERT", "the mesh trust bundle (PEM) the control plane writes"),
            TokenFile = Required("token-file", "MESH_TOKEN_FILE", "the file with the node's control plane token (the lab's interim credential)"),
            Node = Required("node", "NODE_NAME", "the node this pod runs on"),
            Namespace = ns,
            Gateway = gateway,
            // Istio's convention: a waypoint runs as the service account named after its Gateway.
            ServiceAccount = values.Remove("service-account", out var sa) ? sa : env("SERVICE_ACCOUNT") is { Length: > 0 } esa ? esa : gateway,
        };
        if (values.Remove("trust-domain", out var td))
        {
            options = options with { TrustDomain = td };
        }
        if (values.Remove("listen", out var listen))
        {
            options = options with
            {
                ListenAddress = IPAddress.TryParse(listen, out var a) ? a : throw new WaypointConfigException($"--listen '{listen}' is not an IP address"),
            };
        }
        if (values.Remove("hbone-port", out var hp))
        {
            options = options with
            {
                HbonePort = int.TryParse(hp, out var p) && p is > 0 and < 65536 ? p : throw new WaypointConfigException($"--hbone-port '{hp}' is not a port"),
            };
        }
        if (values.Count > 0)
        {
            throw new WaypointConfigException($"unknown option --{values.Keys.First()}; {Usage}");
        }
        return options;
    }
}
