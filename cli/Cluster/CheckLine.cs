namespace Mesh.Cli.Cluster;

/// <summary>One prerequisite's result: its name, ok/FAIL/skip, and what was found or what to do.</summary>
internal sealed record CheckLine(string Name, CheckStatus Status, string Detail)
{
    public static CheckLine Ok(string name, string detail) => new(name, CheckStatus.Ok, detail);

    public static CheckLine Fail(string name, string detail) => new(name, CheckStatus.Fail, detail);

    public static CheckLine Skip(string name, string detail) => new(name, CheckStatus.Skip, detail);
}
