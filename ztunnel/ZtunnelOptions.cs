using System.Net;
using Mesh.Core;
using Microsoft.Extensions.Configuration;

namespace Mesh.Ztunnel;

/// <summary>ztunnel's settings: from the command line (--node node1 ...) or MESH_ZTUNNEL_* environment variables.</summary>
public sealed record ZtunnelOptions
{
    /// <summary>The node this ztunnel serves (Kubernetes: spec.nodeName of its pod).</summary>
    public required string Node { get; init; }

    /// <summary>The CNI's report of the pods on this node (the lab writes /run/mesh-lab/&lt;lab&gt;/nodes/&lt;node&gt;/pods.json).</summary>
    public required string PodsFile { get; init; }

    /// <summary>The control plane's CA + discovery address, https://host:15012.</summary>
    public required Uri ControlPlane { get; init; }

    /// <summary>File holding this node's bearer token for the control plane.</summary>
    public required string TokenFile { get; init; }

    /// <summary>The mesh trust bundle (PEM, one or two roots) used to trust the control plane.</summary>
    public required string RootCertFile { get; init; }

    public string TrustDomain { get; init; } = MeshLabels.DefaultTrustDomain;

    /// <summary>Where metrics (15020) and readiness (15021) listen.</summary>
    public IPAddress TelemetryAddress { get; init; } = IPAddress.Any;

    public string? BpfDirectory { get; init; }

    public static ZtunnelOptions From(IConfiguration config)
    {
        string Required(string key, string what) => config[key] is { Length: > 0 } v ? v
            : throw new ZtunnelConfigException($"--{key} is required: {what}");
        var cp = Required("control-plane", "the control plane address, e.g. https://198.19.0.1:15012");
        if (!Uri.TryCreate(cp, UriKind.Absolute, out var cpUri) || cpUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ZtunnelConfigException($"--control-plane '{cp}' must be an https:// URL, e.g. https://198.19.0.1:15012");
        }
        var telemetry = config["telemetry-address"];
        IPAddress? telemetryAddress = null;
        if (telemetry is not null && !IPAddress.TryParse(telemetry, out telemetryAddress))
        {
            throw new ZtunnelConfigException($"--telemetry-address '{telemetry}' is not an IP address");
        }
        var options = new ZtunnelOptions
        {
            Node = Required("node", "the name of this node"),
            PodsFile = Required("pods-file", "the node's pod report, e.g. /run/mesh-lab/lab/nodes/node1/pods.json"),
            ControlPlane = cpUri,
            TokenFile = Required("token-file", "the file with this node's control plane token"),
            RootCertFile = Required("root-cert", "the mesh root certificate (PEM) written by the control plane"),
            TrustDomain = config["trust-domain"] ?? MeshLabels.DefaultTrustDomain,
            TelemetryAddress = telemetryAddress ?? IPAddress.Any,
            BpfDirectory = config["bpf-dir"],
        };
        foreach (var file in new[] { options.TokenFile, options.RootCertFile })
        {
            if (!File.Exists(file))
            {
                throw new ZtunnelConfigException($"'{file}' does not exist; start the control plane first (it writes the root) and check the path");
            }
        }
        return options;
    }
}
