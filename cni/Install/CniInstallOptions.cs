namespace Mesh.Cni.Install;

/// <summary><c>mesh-cni install</c>'s flags: where the host's CNI folders are mounted and the socket the chained entry names.</summary>
public sealed record CniInstallOptions
{
    public const string Usage =
        "usage: mesh-cni install --bin-dir DIR --conf-dir DIR [--socket PATH (default /var/run/mesh/cni.sock)] [--once]";

    /// <summary>The host's CNI bin folder, where mesh-cni is copied.</summary>
    public required string BinDir { get; init; }

    /// <summary>The host's CNI conf folder, whose first conf list gets mesh-cni appended.</summary>
    public required string ConfDir { get; init; }

    /// <summary>ztunnel's node agent socket, written into the chained entry as <c>nodeAgentSocket</c>.</summary>
    public string Socket { get; init; } = Mesh.Core.NodeAgent.NodeAgentWire.DefaultSocket;

    /// <summary>Install and chain once, then exit (no watching, no unchaining).</summary>
    public bool Once { get; init; }

    public static CniInstallOptions Parse(IReadOnlyList<string> args)
    {
        string? bin = null, conf = null, socket = null;
        var once = false;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--once")
            {
                once = true;
                continue;
            }
            if (i + 1 >= args.Count || !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new CniInstallException($"'{args[i]}' needs a value; {Usage}");
            }
            var value = args[++i];
            switch (args[i - 1])
            {
                case "--bin-dir": bin = Absolute("--bin-dir", value); break;
                case "--conf-dir": conf = Absolute("--conf-dir", value); break;
                case "--socket": socket = Absolute("--socket", value); break;
                default: throw new CniInstallException($"unknown option {args[i - 1]}; {Usage}");
            }
        }
        return new CniInstallOptions
        {
            BinDir = bin ?? throw new CniInstallException($"--bin-dir is required (the host's CNI bin folder, e.g. /opt/cni/bin); {Usage}"),
            ConfDir = conf ?? throw new CniInstallException($"--conf-dir is required (the host's CNI conf folder, e.g. /etc/cni/net.d); {Usage}"),
            Socket = socket ?? Mesh.Core.NodeAgent.NodeAgentWire.DefaultSocket,
            Once = once,
        };
    }

    private static string Absolute(string flag, string value) =>
        Path.IsPathRooted(value) ? value : throw new CniInstallException($"{flag} '{value}' must be an absolute path");
}
