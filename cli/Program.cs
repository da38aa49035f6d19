using System.CommandLine;
using Mesh.Cli.Check;
using Mesh.Cli.Cluster;
using Mesh.Cli.Install;
using Mesh.Cli.Lab;
using Mesh.Cli.Stat;

namespace Mesh.Cli;

/// <summary>meshctl: one registration line per subcommand group; the groups live in their folders.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("meshctl: run and inspect the Mesh service mesh");
        root.Add(LabCommand.Create());
        root.Add(CheckCommand.Create());
        root.Add(InstallCommand.CreateInstall());
        root.Add(InstallCommand.CreateUninstall());
        root.Add(EnrollCommand.Create(enroll: true));
        root.Add(EnrollCommand.Create(enroll: false));
        root.Add(WaypointCommand.Create());
        root.Add(StatCommand.Create(top: false));
        root.Add(StatCommand.Create(top: true));
        return CliRunner.Run(root, args);
    }
}
