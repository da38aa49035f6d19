using System.Globalization;
using System.Net;
using Mesh.Core;
using Mesh.Core.CommandLine;
using Mesh.Core.Text;

namespace Mesh.ControlPlane;

/// <summary>The control plane's settings, from the command line (see <see cref="Usage"/>).</summary>
public sealed record ControlPlaneOptions
{
    public const string Usage = """
        controlplane [serve] --registry file --dir PATH --node-tokens FILE
                   | --registry kubernetes [--kubeconfig FILE] [--kube-context NAME] [--node-tokens FILE]
                     [--token-audience mesh-ca] [--ztunnel-service-account mesh-system/ztunnel]
                     [--state-dir PATH] [--listen IP:PORT] [--monitoring IP:PORT]
                     [--trust-domain TD] [--cert-ttl 24h] [--namespace mesh-system] [--service-account controlplane]
                     [--ca-cert PEM --ca-key PEM [--ca-bundle PEM] | --ca-secret NAMESPACE/NAME] [--intermediate-lifetime 365d]
                     [--root-lifetime 3650d] [--root-rotate-at 0.667] [--rotation-overlap 5m]
                     [--waypoint-image IMAGE] [--leader-lease 15s]
        controlplane rotate-root --state-dir PATH [--trust-domain TD] [--finish]
        """;

    public string Registry { get; init; } = "file";
    public string? Directory { get; init; }
    public string? Kubeconfig { get; init; }
    public string? KubeContext { get; init; }
    public string? NodeTokensFile { get; init; }
    /// <summary>Kubernetes registry: the audience of the callers' projected service account tokens (TokenReview).</summary>
    public string TokenAudience { get; init; } = Kubernetes.TokenReviewOptions.DefaultAudience;
    /// <summary>Kubernetes registry: the ztunnel service account, which may obtain the identities of its node's pods.</summary>
    public string ZtunnelNamespace { get; init; } = "mesh-system";
    public string ZtunnelServiceAccount { get; init; } = "ztunnel";
    public string StateDirectory { get; init; } = "/var/lib/mesh/controlplane";
    public IPEndPoint Listen { get; init; } = new(IPAddress.Any, 15012);
    /// <summary>Plain HTTP: /healthz/ready, /metrics (Prometheus text), /debug/status (translation errors).</summary>
    public IPEndPoint Monitoring { get; init; } = new(IPAddress.Any, 15014);
    public string TrustDomain { get; init; } = MeshLabels.DefaultTrustDomain;
    public TimeSpan CertTtl { get; init; } = TimeSpan.FromHours(24);
    /// <summary>Self-managed root: the lifetime of each root made (the first and every rotation's).</summary>
    public TimeSpan RootLifetime { get; init; } = TimeSpan.FromDays(3650);
    /// <summary>Fraction of a root's life at which the next one is made and published; 0 rotates by hand only.</summary>
    public double RootRotateAt { get; init; } = 2.0 / 3;
    /// <summary>How long a new root is published before it signs.</summary>
    public TimeSpan RotationOverlap { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>The control plane's own identity: spiffe://TD/ns/NAMESPACE/sa/SERVICE-ACCOUNT.</summary>
    public string Namespace { get; init; } = "mesh-system";
    public string ServiceAccount { get; init; } = "controlplane";
    public string? CaCert { get; init; }
    public string? CaKey { get; init; }
    public string? CaBundle { get; init; }
    /// <summary>Kubernetes registry: the CA from a kubernetes.io/tls Secret with ca.crt (cert-manager's), watched for changes.</summary>
    public string? CaSecret { get; init; }
    /// <summary>With a user's root and its key: sign through an intermediate of this lifetime, rotated at --root-rotate-at of its life.</summary>
    public TimeSpan? IntermediateLifetime { get; init; }
    /// <summary>Kubernetes registry: the image of the waypoint Deployments the waypoint controller creates.</summary>
    public string WaypointImage { get; init; } = Waypoints.WaypointSettings.DefaultImage;
    /// <summary>Kubernetes registry: the leader Lease's duration (renew deadline 2/3 of it, retry period 2/15 of it, client-go's ratios).</summary>
    public TimeSpan LeaderLease { get; init; } = TimeSpan.FromSeconds(15);
    public bool Finish { get; init; }

    /// <summary>The flags of every command (serve, rotate-root), each with its <c>MESH_*</c> environment fallback.</summary>
    public static readonly IReadOnlyList<Flag> Flags =
    [
        new("registry", "where the cluster's objects come from: file or kubernetes") { Default = "file" },
        new("dir", "--registry file: the folder of cluster YAML") { HelpName = "PATH" },
        new("kubeconfig", "--registry kubernetes: the kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)") { HelpName = "FILE" },
        new("kube-context", "--registry kubernetes: the kubeconfig context") { HelpName = "NAME" },
        new("node-tokens", "JSON {\"<node>\": \"<token>\"}: the lab's node credentials") { HelpName = "FILE" },
        new("token-audience", "the audience of callers' projected service account tokens (TokenReview)") { Default = Kubernetes.TokenReviewOptions.DefaultAudience },
        new("ztunnel-service-account", "the ztunnel service account, which may obtain its node's pods' identities") { HelpName = "NS/NAME", Default = "mesh-system/ztunnel" },
        new("state-dir", "the CA's state folder") { HelpName = "PATH", Default = "/var/lib/mesh/controlplane" },
        new("listen", "CA and discovery (TLS, HTTP/2)") { HelpName = "IP:PORT", Default = "0.0.0.0:15012" },
        new("monitoring", "readiness, metrics and status (plain HTTP)") { HelpName = "IP:PORT", Default = "0.0.0.0:15014" },
        new("trust-domain", "the mesh's trust domain") { HelpName = "TD", Default = MeshLabels.DefaultTrustDomain },
        new("cert-ttl", "workload certificates' lifetime") { HelpName = "DURATION", Default = "24h" },
        new("namespace", "the control plane's own namespace (its identity)", "POD_NAMESPACE") { HelpName = "NS", Default = "mesh-system" },
        new("service-account", "the control plane's own service account (its identity)") { HelpName = "SA", Default = "controlplane" },
        new("ca-cert", "an intermediate signed elsewhere (PEM); the self-managed root when absent") { HelpName = "PEM" },
        new("ca-key", "the key of --ca-cert (PEM)") { HelpName = "PEM" },
        new("ca-bundle", "the roots --ca-cert chains to (PEM)") { HelpName = "PEM" },
        new("ca-secret", "--registry kubernetes: a kubernetes.io/tls Secret with ca.crt (as cert-manager writes it) holding the CA") { HelpName = "NS/NAME" },
        new("intermediate-lifetime", "under a user's root: sign through an own intermediate of this lifetime, rotated automatically") { HelpName = "DURATION" },
        new("root-lifetime", "self-managed root: each root's lifetime") { HelpName = "DURATION", Default = "3650d" },
        new("root-rotate-at", "self-managed root: fraction of its life at which the next one is made (0 = by hand only)") { HelpName = "FRACTION", Default = "0.667" },
        new("rotation-overlap", "how long a new root is published before it signs") { HelpName = "DURATION", Default = "5m" },
        new("waypoint-image", "the image of the waypoints the waypoint controller creates") { HelpName = "IMAGE", Default = Waypoints.WaypointSettings.DefaultImage },
        new("leader-lease", "the leader Lease's duration") { HelpName = "DURATION", Default = "15s" },
    ];

    /// <summary><c>rotate-root --finish</c>.</summary>
    public static readonly IReadOnlyList<Flag> Switches = [new("finish", "rotate-root: drop the old root from the bundle")];

    public const string Description = "controlplane: the mesh's CA, discovery and waypoint controller. Commands: serve (default), rotate-root [--finish].";

    /// <summary>Parses flags after the command word (the environment for those not given); throws <see cref="ControlPlaneOptionsException"/> with one line.</summary>
    public static ControlPlaneOptions Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null, string command = "controlplane")
    {
        var parse = FlagParser.Parse(command, Description, Flags, args, environment ?? (_ => null), Switches);
        return parse.Error is { } error ? throw new ControlPlaneOptionsException(error)
            : parse.Help is not null ? throw new ControlPlaneOptionsException("help was asked for; run 'controlplane --help' on its own")
            : From(parse.Values);
    }

    /// <summary>Checks the parsed values (flag name without "--" -> value).</summary>
    public static ControlPlaneOptions From(IReadOnlyDictionary<string, string> values)
    {
        var o = new ControlPlaneOptions();
        foreach (var (name, v) in values)
        {
            var flag = "--" + name;
            o = flag switch
            {
                "--finish" => o with { Finish = true },
                "--registry" => v is "file" or "kubernetes" ? o with { Registry = v } : throw new ControlPlaneOptionsException($"--registry is 'file' or 'kubernetes', not '{v}'"),
                "--dir" => o with { Directory = v },
                "--kubeconfig" => o with { Kubeconfig = v },
                "--kube-context" => o with { KubeContext = v },
                "--node-tokens" => o with { NodeTokensFile = v },
                "--token-audience" => v.Length > 0 ? o with { TokenAudience = v } : throw new ControlPlaneOptionsException("--token-audience needs a non-empty audience (e.g. mesh-ca)"),
                "--ztunnel-service-account" => v.Split('/') is [{ Length: > 0 } ns, { Length: > 0 } sa]
                    ? o with { ZtunnelNamespace = ns, ZtunnelServiceAccount = sa }
                    : throw new ControlPlaneOptionsException($"--ztunnel-service-account is NAMESPACE/NAME (e.g. mesh-system/ztunnel), not '{v}'"),
                "--state-dir" => o with { StateDirectory = v },
                "--listen" => o with { Listen = Endpoint(flag, v) },
                "--monitoring" => o with { Monitoring = Endpoint(flag, v) },
                "--trust-domain" => o with { TrustDomain = v },
                "--cert-ttl" => o with { CertTtl = Duration(flag, v) },
                "--namespace" => o with { Namespace = v },
                "--service-account" => o with { ServiceAccount = v },
                "--ca-cert" => o with { CaCert = v },
                "--ca-key" => o with { CaKey = v },
                "--ca-bundle" => o with { CaBundle = v },
                "--ca-secret" => v.Split('/') is [{ Length: > 0 }, { Length: > 0 }]
                    ? o with { CaSecret = v }
                    : throw new ControlPlaneOptionsException($"--ca-secret is NAMESPACE/NAME of a kubernetes.io/tls Secret with ca.crt (e.g. mesh-system/mesh-ca), not '{v}'"),
                "--root-lifetime" => o with { RootLifetime = Duration(flag, v) },
                "--intermediate-lifetime" => o with { IntermediateLifetime = Duration(flag, v) },
                "--root-rotate-at" => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f is >= 0 and < 1
                    ? o with { RootRotateAt = f }
                    : throw new ControlPlaneOptionsException($"--root-rotate-at is a fraction of the root's life in [0, 1) (e.g. 0.667; 0 = rotate by hand only), not '{v}'"),
                "--rotation-overlap" => o with { RotationOverlap = Duration(flag, v) },
                "--waypoint-image" => v.Length > 0 ? o with { WaypointImage = v } : throw new ControlPlaneOptionsException("--waypoint-image needs an image (e.g. mesh/waypoint:0.1.0)"),
                "--leader-lease" => o with { LeaderLease = Duration(flag, v) },
                _ => throw new ControlPlaneOptionsException($"unknown option '{flag}'"),
            };
        }
        return o;
    }

    /// <summary>Checks what serving needs.</summary>
    public void ValidateForServe()
    {
        if (Registry == "file" && string.IsNullOrEmpty(Directory))
        {
            throw new ControlPlaneOptionsException("--registry file needs --dir PATH (the folder of cluster YAML; the lab writes /run/mesh-lab/<lab>/cluster/)");
        }
        if (Registry == "file" && string.IsNullOrEmpty(NodeTokensFile))
        {
            throw new ControlPlaneOptionsException("--registry file needs --node-tokens FILE: JSON {\"<node>\": \"<token>\"}; each ztunnel presents its node's token " +
                "(with --registry kubernetes, callers present projected service account tokens instead)");
        }
        if ((CaCert is null) != (CaKey is null))
        {
            throw new ControlPlaneOptionsException("--ca-cert and --ca-key go together");
        }
        if (CaSecret is not null && (CaCert is not null || Registry != "kubernetes"))
        {
            throw new ControlPlaneOptionsException(CaCert is not null
                ? "--ca-secret and --ca-cert both name the CA; give one"
                : "--ca-secret needs --registry kubernetes (the Secret is read from the cluster); with --registry file give --ca-cert/--ca-key/--ca-bundle");
        }
        if (IntermediateLifetime is { } intermediate)
        {
            if (CaCert is null && CaSecret is null)
            {
                throw new ControlPlaneOptionsException("--intermediate-lifetime is for a user's root: give it with --ca-cert/--ca-key (the root and its key) or --ca-secret; " +
                    "a self-managed root is rotated itself (--root-lifetime)");
            }
            if (RootRotateAt > 0 && intermediate * (1 - RootRotateAt) <= CertTtl)
            {
                throw new ControlPlaneOptionsException($"an intermediate of {intermediate} rotated at {RootRotateAt:0.###} of its life has less than --cert-ttl {CertTtl} left " +
                    "when it is replaced (no certificate may outlive its signer's rotation); lengthen --intermediate-lifetime or shorten --cert-ttl");
            }
        }
        if (LeaderLease < TimeSpan.FromSeconds(3))
        {
            throw new ControlPlaneOptionsException($"--leader-lease {LeaderLease} is too short (at least 3s; 15s is client-go's default)");
        }
        if (CertTtl < TimeSpan.FromSeconds(10))
        {
            throw new ControlPlaneOptionsException($"--cert-ttl {CertTtl} is too short (at least 10s)");
        }
        if (CaCert is null && CaSecret is null && Ca.RootRotation.Misfit(RootLifetime, new Ca.RotationPolicy(RootRotateAt, RotationOverlap, CertTtl)) is { } misfit)
        {
            throw new ControlPlaneOptionsException(misfit);
        }
    }

    public static IPEndPoint Endpoint(string flag, string v) =>
        IPEndPoint.TryParse(v, out var ep) && ep.Port > 0 || (IPEndPoint.TryParse(v, out ep) && v.EndsWith(":0", StringComparison.Ordinal))
            ? ep!
            : throw new ControlPlaneOptionsException($"{flag} '{v}' is not IP:PORT (e.g. 0.0.0.0:15012)");

    /// <summary>A duration flag in the one syntax of <see cref="DurationText"/> ("24h", "90m", "1d").</summary>
    public static TimeSpan Duration(string flag, string v) =>
        DurationText.TryParse(v, out var value) ? value
            : throw new ControlPlaneOptionsException($"{flag} '{v}' is not a duration: write e.g. {DurationText.Examples}");

    public override string ToString() =>
        $"registry={Registry}{(Registry == "file" ? $" dir={Directory}" : $" kubeconfig={Kubeconfig ?? "(in-cluster/default)"}")} " +
        $"{(Registry == "kubernetes" ? $" token-audience={TokenAudience} ztunnel-service-account={ZtunnelNamespace}/{ZtunnelServiceAccount} waypoint-image={WaypointImage} leader-lease={LeaderLease}" : "")} " +
        $"state-dir={StateDirectory} node-tokens={NodeTokensFile ?? "(none)"} listen={Listen} monitoring={Monitoring} trust-domain={TrustDomain} " +
        $"cert-ttl={CertTtl} identity=spiffe://{TrustDomain}/ns/{Namespace}/sa/{ServiceAccount} " +
        $"ca={(CaSecret is not null ? $"user-supplied Secret {CaSecret}{Own()}" : CaCert is null ? $"self-managed root (lifetime {RootLifetime}, rotate at {RootRotateAt:0.###}, overlap {RotationOverlap})" : $"user-supplied {CaCert}{Own()}")}";

    private string Own() => IntermediateLifetime is { } l ? $" (a root: signing through its own intermediate, lifetime {l}, rotated at {RootRotateAt:0.###})" : "";
}
