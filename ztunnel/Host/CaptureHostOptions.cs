using System.Collections.Immutable;
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

    public const string Usage =
        "usage: ztunnel uninstall [--instance NAME] [--pods-file PATH] | ztunnel --pods-file PATH [--node NODE] [--enroll-namespaces a,b] [--tc-mode auto|tcx|clsact] [--bpf-dir DIR] [--instance NAME]";

    /// <summary>Parses the arguments; null with <paramref name="error"/> set when they are wrong.</summary>
    public static CaptureHostOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        string? podsFile = null, node = null, bpfDir = null, instance = null;
        var uninstall = args.Count > 0 && args[0] == "uninstall";
        var namespaces = ImmutableHashSet<string>.Empty;
        var mode = TcAttachMode.Auto;
        error = null;
        for (var i = uninstall ? 1 : 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--pods-file": podsFile = value; i++; break;
                case "--instance": instance = value; i++; break;
                case "--node": node = value; i++; break;
                case "--bpf-dir": bpfDir = value; i++; break;
                case "--enroll-namespaces":
                    namespaces = (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableHashSet();
                    i++;
                    break;
                case "--tc-mode":
                    if (!Enum.TryParse(value, ignoreCase: true, out mode))
                    {
                        error = $"--tc-mode must be auto, tcx or clsact, not '{value}'";
                        return null;
                    }
                    i++;
                    break;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return null;
            }
        }
        if (podsFile is null && !uninstall)
        {
            error = "say where the node's pods are: --pods-file PATH";
            return null;
        }
        instance ??= node ?? "ztunnel";
        if (!Mesh.Ztunnel.Redirection.CapturePins.IsValidInstance(instance))
        {
            error = $"--instance '{instance}' must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit";
            return null;
        }
        return new CaptureHostOptions
        {
            PodsFile = podsFile, EnrollNamespaces = namespaces, TcMode = mode, BpfDirectory = bpfDir, Instance = instance, Uninstall = uninstall,
        };
    }
}
