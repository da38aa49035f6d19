using System.Net;
using Mesh.Core.CommandLine;
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

    /// <summary>The OTLP/HTTP collector spans go to (null: no tracing).</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>The share of new traces (requests without a caller's sampled context) that are sampled, 0..1.</summary>
    public double TraceSampling { get; init; } = DefaultTraceSampling;

    /// <summary>Istio's default: 1% of new traces.</summary>
    public const double DefaultTraceSampling = 0.01;

    public SpiffeId Identity => new(TrustDomain, Namespace, ServiceAccount);
    public NamespacedName GatewayKey => new(Namespace, Gateway);

    /// <summary>The waypoint's flags, each with its environment fallback (<c>MESH_*</c>, then the Kubernetes downward-API names).</summary>
    public static readonly IReadOnlyList<Flag> Flags =
    [
        new("control-plane", "the control plane's CA and discovery address") { HelpName = "https://HOST:15012" },
        new("root-cert", "the mesh trust bundle (PEM) that bootstraps the first connection to the control plane") { HelpName = "FILE" },
        new("token-file", "the file with the control plane token") { HelpName = "FILE" },
        new("node", "the node this pod runs on", "NODE_NAME") { HelpName = "NODE" },
        new("namespace", "the namespace of the waypoint's Gateway", "POD_NAMESPACE") { HelpName = "NS" },
        new("service-account", "the pod's service account (its identity)", "SERVICE_ACCOUNT") { HelpName = "SA", Default = "the Gateway's name" },
        new("gateway", "the Gateway (class mesh-waypoint) this waypoint serves", "GATEWAY_NAME") { HelpName = "NAME" },
        new("listen", "the address HBONE, metrics and readiness listen on") { HelpName = "IP", Default = "0.0.0.0" },
        new("hbone-port", "the HBONE port") { HelpName = "PORT", Default = "15008" },
        new("trust-domain", "the mesh's trust domain") { HelpName = "TD", Default = Mesh.Core.MeshLabels.DefaultTrustDomain },
        new("otlp-endpoint", "the OTLP/HTTP collector to export spans to (/v1/traces is appended); unset: no tracing",
            "OTEL_EXPORTER_OTLP_ENDPOINT") { HelpName = "http://HOST:4318" },
        new("trace-sampling", "the share of new traces sampled (a caller's sampled flag is always followed)") { HelpName = "0..1", Default = "0.01" },
    ];

    public const string Description = "waypoint: the mesh's L7 proxy for a namespace or service (HTTP routing, retries, timeouts, splits, L7 policy).";

    /// <summary>Parses flags, falling back to <paramref name="env"/>; throws <see cref="WaypointConfigException"/> with one line saying what to do.</summary>
    public static WaypointOptions Parse(IReadOnlyList<string> args, Func<string, string?> env)
    {
        var parse = FlagParser.Parse("waypoint", Description, Flags, args, env);
        return parse.Error is { } error ? throw new WaypointConfigException(error)
            : parse.Help is not null ? throw new WaypointConfigException("help was asked for; run 'waypoint --help' on its own")
            : From(parse.Take());
    }

    /// <summary>Checks the parsed values (flag name without "--" -> value, environment already applied).</summary>
    public static WaypointOptions From(Dictionary<string, string> values)
    {
        string Required(string key, string what) =>
            values.Remove(key, out var v) && v.Length > 0 ? v
            : throw new WaypointConfigException($"--{key} (or ${Flags.First(f => f.Name == key).EnvironmentVariables.Last()}) is required: {what}");
        var cp = Required("control-plane", "the control plane address, e.g. https://controlplane.mesh-system.svc:15012");
        if (!Uri.TryCreate(cp, UriKind.Absolute, out var cpUri) || cpUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new WaypointConfigException($"--control-plane '{cp}' must be an https:// URL, e.g. https://controlplane.mesh-system.svc:15012");
        }
        var ns = Required("namespace", "the namespace of the waypoint's Gateway");
        var gateway = Required("gateway", "the name of the Gateway (class mesh-waypoint) this waypoint serves");
        var options = new WaypointOptions
        {
            ControlPlane = cpUri,
            RootCertFile = Required("root-cert", "the mesh trust bundle (PEM) the control plane writes"),
            TokenFile = Required("token-file", "the file with the node's control plane token (the lab's interim credential)"),
            Node = Required("node", "the node this pod runs on"),
            Namespace = ns,
            Gateway = gateway,
            // Istio's convention: a waypoint runs as the service account named after its Gateway.
            ServiceAccount = values.Remove("service-account", out var sa) ? sa : gateway,
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
        if (values.Remove("otlp-endpoint", out var otlp) && otlp.Length > 0)
        {
            options = options with
            {
                OtlpEndpoint = Uri.TryCreate(otlp, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) ? u
                    : throw new WaypointConfigException($"--otlp-endpoint '{otlp}' must be an http:// or https:// URL, e.g. http://otel-collector:4318"),
            };
        }
        if (values.Remove("trace-sampling", out var sampling))
        {
            options = options with
            {
                TraceSampling = double.TryParse(sampling, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var r) && r is >= 0 and <= 1 ? r
                    : throw new WaypointConfigException($"--trace-sampling '{sampling}' must be a number from 0 to 1, e.g. 0.01 for 1% of new traces"),
            };
        }
        return options;
    }
}
