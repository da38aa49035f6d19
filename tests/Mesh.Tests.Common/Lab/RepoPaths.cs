namespace Mesh.Tests.Common.Lab;

/// <summary>Paths in the repository the tests run from (found by walking up to Mesh.sln).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootValue = new(() =>
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Mesh.sln")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException($"Mesh.sln not found above {AppContext.BaseDirectory}; run the tests from the repository");
    });

    public static string Root => RootValue.Value;

    /// <summary>The build configuration the tests run from (release from 'make test', debug from a plain 'dotnet build').</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Name;

    /// <summary>A built program of the solution, same configuration as the tests: artifacts/bin/&lt;project&gt;/&lt;config&gt;/&lt;assembly&gt;.</summary>
    public static string Binary(string project, string assembly) =>
        Path.Combine(Root, "artifacts", "bin", project, Configuration, assembly);

    /// <summary>The echo sample server (samples/echo).</summary>
    public static string Echo => Binary("Mesh.Samples.Echo", "echo");

    /// <summary>The waypoint (waypoint/): the Native AOT executable in a Release build, as the lab runs it.</summary>
    public static string Waypoint => Mesh.Lab.Launch.MeshBinaries.Locate().Waypoint;

    /// <summary>meshctl.</summary>
    public static string Meshctl => Binary("Mesh.Cli", "meshctl");
}
