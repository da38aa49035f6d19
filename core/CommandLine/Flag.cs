namespace Mesh.Core.CommandLine;

/// <summary>
/// One <c>--name VALUE</c> option of a binary: what it is and which environment variables stand in for it when it is
/// not given (<c>MESH_NAME</c> always, then <paramref name="Aliases"/>, e.g. the downward-API <c>NODE_NAME</c>).
/// Values stay text here; each binary's options record checks them and says what to write instead.
/// </summary>
public sealed record Flag(string Name, string Description, params string[] Aliases)
{
    /// <summary>The value's placeholder in help (FILE, URL, IP, ...).</summary>
    public string HelpName { get; init; } = "VALUE";

    /// <summary>The default in help, when the option has one.</summary>
    public string? Default { get; init; }

    /// <summary>The environment variables read when the flag is absent, in order.</summary>
    public IEnumerable<string> EnvironmentVariables => [EnvironmentName(Name), .. Aliases];

    /// <summary><c>--drain-timeout</c> is <c>MESH_DRAIN_TIMEOUT</c>.</summary>
    public static string EnvironmentName(string name) => "MESH_" + name.ToUpperInvariant().Replace('-', '_');
}
