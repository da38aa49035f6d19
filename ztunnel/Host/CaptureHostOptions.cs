using System.Collections.Immutable;
using Mesh.Native;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// Command line of the capture-only host: where the node's pods are reported and which namespaces
/// are enrolled. <c>--enroll-namespaces</c> stands in for discovery (namespace labels pushed by the
/// control plane) and will be replaced by it.
/// </summary>
public sealed record CaptureHostOptions
{
    public required string PodsFile { get; init; }
    public ImmutableHashSet<string> EnrollNamespaces { get; init; } = ImmutableHashSet<string>.Empty;
    public TcAttachMode TcMode { get; init; } = TcAttachMode.Auto;
    public string? BpfDirectory { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public const string Usage =
        "usage: ztunnel (--pods-file PATH | --lab LAB --node NODE) [--enroll-namespaces a,b] [--tc-mode auto|tcx|clsact] [--bpf-dir DIR]";

    /// <summary>Parses the arguments; null with <paramref name="error"/> set when they are wrong.</summary>
    public static CaptureHostOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        string? podsFile = null, lab = null, node = null, bpfDir = null;
        var namespaces = ImmutableHashSet<string>.Empty;
        var mode = TcAttachMode.Auto;
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--pods-file": podsFile = value; i++; break;
                case "--lab": lab = value; i++; break;
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
        podsFile ??= lab is not null && node is not null ? NodePodsFile.LabPath(lab, node) : null;
        if (podsFile is null)
        {
            error = "say where the node's pods are: --pods-file PATH, or --lab LAB --node NODE";
            return null;
        }
        return new CaptureHostOptions { PodsFile = podsFile, EnrollNamespaces = namespaces, TcMode = mode, BpfDirectory = bpfDir };
    }
}
