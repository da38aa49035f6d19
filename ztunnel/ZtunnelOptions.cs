using System.Net;
using Mesh.Core.CommandLine;
using Mesh.Core.Text;
using Mesh.Native.Bpf;
using Mesh.Ztunnel.Limits;

namespace Mesh.Ztunnel;

/// <summary>ztunnel's settings in mesh mode (with a control plane), from the command line.</summary>
public sealed record ZtunnelOptions
{
    /// <summary>The node this ztunnel serves (its name is its identity towards the control plane).</summary>
    public required string Node { get; init; }

    /// <summary>The node agent's unix socket, where mesh-cni reports new pods (the lab: /run/mesh-lab/&lt;lab&gt;/nodes/&lt;node&gt;/cni.sock).</summary>
    public string CniSocket { get; init; } = Mesh.Core.NodeAgent.NodeAgentWire.DefaultSocket;

    /// <summary>The cgroup v2 root under which the kubelet's kubepods tree lives (the lab: its own folder).</summary>
    public string CgroupRoot { get; init; } = "/sys/fs/cgroup";

    /// <summary>The control plane's CA + discovery address, https://host:15012.</summary>
    public required Uri ControlPlane { get; init; }

    /// <summary>File holding this node's bearer token for the control plane.</summary>
    public required string TokenFile { get; init; }

    /// <summary>The mesh trust bundle (PEM, one or two roots) the control plane writes.</summary>
    public required string RootCertFile { get; init; }

    /// <summary>Where metrics (15020) and readiness (15021) listen.</summary>
    public IPAddress TelemetryAddress { get; init; } = IPAddress.Any;

    public string? BpfDirectory { get; init; }

    public TcAttachMode TcMode { get; init; } = TcAttachMode.Auto;

    /// <summary>Connection, stream, handshake and time bounds (<see cref="ProxyLimitFlags"/>).</summary>
    public ProxyLimits Limits { get; init; } = new();

    /// <summary>This ztunnel's capture instance: its pins are in /sys/fs/bpf/mesh/&lt;instance&gt;/ (default: the node name).</summary>
    public required string Instance { get; init; }

    /// <summary>How long established connections may keep running after SIGTERM or a takeover before they are reset.</summary>
    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    /// <summary>The unix socket a successor asks for the listeners on (default /run/mesh/ztunnel/&lt;instance&gt;/handoff.sock).</summary>
    public required string HandoffSocket { get; init; }

    /// <summary>A Kubernetes pod's default termination grace period.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The mesh mode's flags (with <see cref="ProxyLimitFlags.Flags"/>), each with its environment fallback.</summary>
    public static readonly IReadOnlyList<Flag> Flags =
    [
        new("node", "the name of this node (its identity towards the control plane)", "NODE_NAME") { HelpName = "NODE" },
        new("control-plane", "the control plane's CA and discovery address") { HelpName = "https://HOST:15012" },
        new("token-file", "the file with this node's control plane token") { HelpName = "FILE" },
        new("root-cert", "the mesh trust bundle (PEM) that bootstraps the first connection to the control plane") { HelpName = "FILE" },
        new("cni-socket", "the node agent's unix socket, where mesh-cni reports new pods") { HelpName = "PATH", Default = Mesh.Core.NodeAgent.NodeAgentWire.DefaultSocket },
        new("cgroup-root", "the cgroup v2 folder that holds the kubelet's kubepods tree") { HelpName = "DIR", Default = "/sys/fs/cgroup" },
        new("telemetry-address", "where metrics (15020) and readiness (15021) listen") { HelpName = "IP", Default = "0.0.0.0" },
        new("bpf-dir", "the folder of the compiled eBPF objects") { HelpName = "DIR" },
        new("tc-mode", "how the TC programs attach: auto, tcx or clsact") { HelpName = "MODE", Default = "auto" },
        new("instance", "this ztunnel's capture instance (pins in /sys/fs/bpf/mesh/INSTANCE/)") { HelpName = "NAME", Default = "the node name" },
        new("drain-timeout", "how long established connections may run after SIGTERM or a takeover") { HelpName = "DURATION", Default = DurationText.Format(DefaultDrainTimeout) },
        new("handoff-socket", "the unix socket a successor asks for the listeners on") { HelpName = "PATH", Default = "/run/mesh/ztunnel/INSTANCE/handoff.sock" },
        .. ProxyLimitFlags.Flags,
    ];

    public const string Description = "ztunnel: the mesh's node proxy (capture, HBONE mTLS, L4 policy). " +
        "Also: 'ztunnel uninstall --instance NAME' removes a node's capture.";

    public static string DefaultHandoffSocket(string instance) => $"/run/mesh/ztunnel/{instance}/handoff.sock";

    /// <summary>Parses argv (and the environment for flags not given); a bad or missing value throws <see cref="ZtunnelConfigException"/> with what to do.</summary>
    public static ZtunnelOptions Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        var parse = FlagParser.Parse("ztunnel", Description, Flags, args, environment ?? (_ => null));
        if (parse.Help is not null || parse.Error is not null)
        {
            throw new ZtunnelConfigException(parse.Error ?? "help was asked for; run 'ztunnel --help' on its own");
        }
        return From(parse.Take());
    }

    /// <summary>Checks the parsed values (flag name without "--" -> value); throws <see cref="ZtunnelConfigException"/> naming the flag and what to write.</summary>
    public static ZtunnelOptions From(Dictionary<string, string> values)
    {
        string Required(string key, string what) => values.Remove(key, out var v) && v.Length > 0 ? v
            : throw new ZtunnelConfigException($"--{key} (or ${Flag.EnvironmentName(key)}) is required: {what}");
        var node = Required("node", "the name of this node");
        var cp = Required("control-plane", "the control plane address, e.g. https://controlplane.mesh-system.svc:15012");
        if (!Uri.TryCreate(cp, UriKind.Absolute, out var cpUri) || cpUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ZtunnelConfigException($"--control-plane '{cp}' must be an https:// URL, e.g. https://controlplane.mesh-system.svc:15012");
        }
        var instance = values.Remove("instance", out var inst) ? inst : node;
        if (!Redirection.CapturePins.IsValidInstance(instance))
        {
            throw new ZtunnelConfigException($"--instance '{instance}' must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        var options = new ZtunnelOptions
        {
            Node = node,
            Instance = instance,
            HandoffSocket = values.Remove("handoff-socket", out var hs) ? hs : DefaultHandoffSocket(instance),
            ControlPlane = cpUri,
            TokenFile = Required("token-file", "the file with this node's control plane token"),
            RootCertFile = Required("root-cert", "the mesh trust bundle (PEM) the control plane writes"),
        };
        if (values.Remove("telemetry-address", out var ta))
        {
            options = options with
            {
                TelemetryAddress = IPAddress.TryParse(ta, out var a) ? a : throw new ZtunnelConfigException($"--telemetry-address '{ta}' is not an IP address"),
            };
        }
        if (values.Remove("cni-socket", out var socket))
        {
            options = options with
            {
                CniSocket = Path.IsPathRooted(socket) ? socket : throw new ZtunnelConfigException($"--cni-socket '{socket}' must be an absolute path"),
            };
        }
        if (values.Remove("cgroup-root", out var cgroupRoot))
        {
            options = options with
            {
                CgroupRoot = Directory.Exists(cgroupRoot) ? cgroupRoot : throw new ZtunnelConfigException($"--cgroup-root '{cgroupRoot}' is not a directory; give the cgroup v2 folder that holds kubepods (or kubepods.slice)"),
            };
        }
        if (values.Remove("bpf-dir", out var bpf))
        {
            options = options with { BpfDirectory = bpf };
        }
        if (values.Remove("drain-timeout", out var dt))
        {
            options = options with
            {
                DrainTimeout = ProxyLimitFlags.Duration("drain-timeout", dt, allowZero: true),
            };
        }
        if (values.Remove("tc-mode", out var tc))
        {
            options = options with
            {
                TcMode = Enum.TryParse<TcAttachMode>(tc, ignoreCase: true, out var m) ? m : throw new ZtunnelConfigException($"--tc-mode must be auto, tcx or clsact, not '{tc}'"),
            };
        }
        options = options with { Limits = ProxyLimitFlags.Take(values) };
        foreach (var file in new[] { options.TokenFile, options.RootCertFile })
        {
            if (!File.Exists(file))
            {
                throw new ZtunnelConfigException($"'{file}' does not exist; start the control plane first (it writes the trust bundle) and check the path");
            }
        }
        return options;
    }
}
