using Mesh.Core.CommandLine;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// <c>ztunnel uninstall</c>: the instance whose pins to remove and, optionally, the node's pods (their TC filters and
/// source-address routes go too; on a Kubernetes node there is no such file and a pod's filter goes with its namespace).
/// </summary>
public sealed record UninstallOptions
{
    /// <summary>The capture instance (pins in /sys/fs/bpf/mesh/&lt;instance&gt;/): --instance, else the node, else "ztunnel".</summary>
    public string Instance { get; init; } = "ztunnel";

    /// <summary>A JSON array of the node's pods (<see cref="NodePodsFile"/>), or none.</summary>
    public string? PodsFile { get; init; }

    public static readonly IReadOnlyList<Flag> Flags =
    [
        new("instance", "the capture instance (pins in /sys/fs/bpf/mesh/INSTANCE/)") { HelpName = "NAME", Default = "the node, else ztunnel" },
        new("node", "the node whose capture to remove", "NODE_NAME") { HelpName = "NODE" },
        new("pods-file", "a JSON file listing the node's pods, whose TC filters and routes are removed too") { HelpName = "PATH" },
    ];

    public const string Description = "ztunnel uninstall: removes an instance's capture (every pinned link and map; no ztunnel of the instance may run).";

    /// <summary>Parses the arguments after the word <c>uninstall</c>; throws <see cref="ZtunnelConfigException"/> saying what is wrong.</summary>
    public static UninstallOptions Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        var parse = FlagParser.Parse("ztunnel uninstall", Description, Flags, args, environment ?? (_ => null));
        return parse.Error is { } error ? throw new ZtunnelConfigException(error)
            : parse.Help is not null ? throw new ZtunnelConfigException("help was asked for; run 'ztunnel uninstall --help' on its own")
            : From(parse.Take());
    }

    /// <summary>Checks the parsed values; throws <see cref="ZtunnelConfigException"/> naming the flag and what to write.</summary>
    public static UninstallOptions From(Dictionary<string, string> values)
    {
        var instance = values.GetValueOrDefault("instance") ?? values.GetValueOrDefault("node") ?? "ztunnel";
        if (!Redirection.CapturePins.IsValidInstance(instance))
        {
            throw new ZtunnelConfigException($"--instance '{instance}' must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        return new UninstallOptions { Instance = instance, PodsFile = values.GetValueOrDefault("pods-file") };
    }
}
