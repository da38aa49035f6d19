namespace Mesh.Core.CommandLine;

/// <summary>
/// What a command line said: the values of the flags given (or found in the environment), or that help was asked
/// for (<see cref="Help"/>), or the first usage error as one line (<see cref="Error"/>).
/// </summary>
public sealed record FlagParse(IReadOnlyDictionary<string, string> Values, string? Help, string? Error)
{
    /// <summary>The values as a mutable copy: options records take (remove) what they know and refuse what is left.</summary>
    public Dictionary<string, string> Take() => new(Values, StringComparer.Ordinal);
}
