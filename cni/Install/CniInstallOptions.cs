using Mesh.Core.CommandLine;

namespace Mesh.Cni.Install;

/// <summary><c>mesh-cni install</c>'s flags: where the host's CNI folders are mounted and the socket the chained entry names.</summary>
public sealed record CniInstallOptions
{
    /// <summary>The host's CNI bin folder, where mesh-cni is copied.</summary>
    public required string BinDir { get; init; }

    /// <summary>The host's CNI conf folder, whose first conf list gets mesh-cni appended.</summary>
    public required string ConfDir { get; init; }

    /// <summary>ztunnel's node agent socket, written into the chained entry as <c>nodeAgentSocket</c>.</summary>
    public string Socket { get; init; } = Mesh.Core.NodeAgent.NodeAgentWire.DefaultSocket;

    /// <summary>Install and chain once, then exit (no watching, no unchaining).</summary>
    public bool Once { get; init; }

    /// <summary>The installer's flags (and <c>--once</c>), each with its <c>MESH_*</c> environment fallback.</summary>
    public static readonly IReadOnlyList<Flag> Flags =
    [
        new("bin-dir", "the host's CNI bin folder, where mesh-cni is copied (e.g. /opt/cni/bin)") { HelpName = "DIR" },
        new("conf-dir", "the host's CNI conf folder, whose first conf list gets mesh-cni chained (e.g. /etc/cni/net.d)") { HelpName = "DIR" },
        new("socket", "ztunnel's node agent socket, named in the chained entry") { HelpName = "PATH", Default = Mesh.Core.NodeAgent.NodeAgentWire.DefaultSocket },
    ];

    public static readonly IReadOnlyList<Flag> Switches = [new("once", "install and chain once, then exit (no watching, no unchaining)")];

    public const string Description = "mesh-cni install: copies mesh-cni into the host's CNI bin folder and chains it into the runtime's conf list, until SIGTERM.";

    /// <summary>Parses the flags after <c>install</c>; throws <see cref="CniInstallException"/> with one line saying what to do.</summary>
    public static CniInstallOptions Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        var parse = FlagParser.Parse("mesh-cni install", Description, Flags, args, environment ?? (_ => null), Switches);
        return parse.Error is { } error ? throw new CniInstallException(error)
            : parse.Help is not null ? throw new CniInstallException("help was asked for; run 'mesh-cni install --help' on its own")
            : From(parse.Values);
    }

    /// <summary>Checks the parsed values.</summary>
    public static CniInstallOptions From(IReadOnlyDictionary<string, string> values) => new()
    {
        BinDir = values.TryGetValue("bin-dir", out var bin) ? Absolute("--bin-dir", bin)
            : throw new CniInstallException("--bin-dir (or $MESH_BIN_DIR) is required: the host's CNI bin folder, e.g. /opt/cni/bin"),
        ConfDir = values.TryGetValue("conf-dir", out var conf) ? Absolute("--conf-dir", conf)
            : throw new CniInstallException("--conf-dir (or $MESH_CONF_DIR) is required: the host's CNI conf folder, e.g. /etc/cni/net.d"),
        Socket = values.TryGetValue("socket", out var socket) ? Absolute("--socket", socket) : Mesh.Core.NodeAgent.NodeAgentWire.DefaultSocket,
        Once = values.ContainsKey("once"),
    };

    private static string Absolute(string flag, string value) =>
        Path.IsPathRooted(value) ? value : throw new CniInstallException($"{flag} '{value}' must be an absolute path");
}
