using System.Collections.Immutable;
using Mesh.Core.CommandLine;
using Mesh.Native;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// Command line of the capture-only host (the eBPF tests' harness): a JSON file listing the pods and which namespaces
/// are enrolled. <c>--enroll-namespaces</c> stands in for discovery; the mesh host learns pods from its CNI socket.
/// </summary>
public sealed record CaptureHostOptions
{
    /// <summary>The node's pods; optional for <c>uninstall</c> (on a Kubernetes node there is none: the pins name the pods).</summary>
    public required string? PodsFile { get; init; }
    public ImmutableHashSet<string> EnrollNamespaces { get; init; } = ImmutableHashSet<string>.Empty;
    public TcAttachMode TcMode { get; init; } = TcAttachMode.Auto;
    public string? BpfDirectory { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The capture instance (pins in /sys/fs/bpf/mesh/&lt;instance&gt;/): --instance, else the node, else "ztunnel".</summary>
    public string Instance { get; init; } = "ztunnel";

    /// <summary><c>ztunnel uninstall</c>: remove the instance's pins instead of running.</summary>
    public bool Uninstall { get; init; }

    /// <summary>The capture-only host's flags (and <c>uninstall</c>'s).</summary>
    public static readonly IReadOnlyList<Flag> Flags =
    [
        new("pods-file", "the JSON file listing the node's pods") { HelpName = "PATH" },
        new("node", "the node whose pods the file lists", "NODE_NAME") { HelpName = "NODE" },
        new("enroll-namespaces", "the namespaces whose pods are captured, comma-separated") { HelpName = "a,b" },
        new("tc-mode", "how the TC programs attach: auto, tcx or clsact") { HelpName = "MODE", Default = "auto" },
        new("bpf-dir", "the folder of the compiled eBPF objects") { HelpName = "DIR" },
        new("instance", "the capture instance (pins in /sys/fs/bpf/mesh/INSTANCE/)") { HelpName = "NAME", Default = "the node, else ztunnel" },
    ];

    public const string Description = "ztunnel's capture-only host (the eBPF tests' harness), or 'ztunnel uninstall' (removes an instance's pins).";

    /// <summary>Parses the arguments (after the word <c>uninstall</c>, when given); throws <see cref="ZtunnelConfigException"/> saying what is wrong.</summary>
    public static CaptureHostOptions Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        var uninstall = args.Count > 0 && args[0] == "uninstall";
        var parse = FlagParser.Parse(uninstall ? "ztunnel uninstall" : "ztunnel", Description, Flags, uninstall ? args.Skip(1).ToList() : args, environment ?? (_ => null));
        return parse.Error is { } error ? throw new ZtunnelConfigException(error)
            : parse.Help is not null ? throw new ZtunnelConfigException("help was asked for; run 'ztunnel --help' on its own")
            : From(parse.Take(), uninstall);
    }

    /// <summary>Checks the parsed values; throws <see cref="ZtunnelConfigException"/> naming the flag and what to write.</summary>
    public static CaptureHostOptions From(Dictionary<string, string> values, bool uninstall)
    {
        var podsFile = values.GetValueOrDefault("pods-file");
        var node = values.GetValueOrDefault("node");
        var namespaces = (values.GetValueOrDefault("enroll-namespaces") ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableHashSet();
        var mode = TcAttachMode.Auto;
        if (values.TryGetValue("tc-mode", out var tc) && !Enum.TryParse(tc, ignoreCase: true, out mode))
        {
            throw new ZtunnelConfigException($"--tc-mode must be auto, tcx or clsact, not '{tc}'");
        }
        if (podsFile is null && !uninstall)
        {
            throw new ZtunnelConfigException("say where the node's pods are: --pods-file PATH");
        }
        var instance = values.GetValueOrDefault("instance") ?? node ?? "ztunnel";
        if (!Mesh.Ztunnel.Redirection.CapturePins.IsValidInstance(instance))
        {
            throw new ZtunnelConfigException($"--instance '{instance}' must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        return new CaptureHostOptions
        {
            PodsFile = podsFile, EnrollNamespaces = namespaces, TcMode = mode, BpfDirectory = values.GetValueOrDefault("bpf-dir"), Instance = instance,
            Uninstall = uninstall,
        };
    }
}
