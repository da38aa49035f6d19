using System.CommandLine;
using Mesh.Lab.Launch;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;
using Mesh.Lab.Planning;

namespace Mesh.Cli.Lab;

/// <summary>
/// <c>meshctl lab up -f FILE [--name N] [--no-mesh]</c>: clean any stale lab of that name, build the cluster, start the
/// mesh (control plane in the fabric, a ztunnel per node) unless --no-mesh, print status.
/// </summary>
internal static class LabUpCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file", "-f") { Description = "lab file (Kubernetes-shaped YAML)", Required = true, HelpName = "FILE" };
        var name = LabCommand.NameOption($"lab name, 1-8 of [a-z0-9] (default {LabNames.DefaultLab})");
        var noMesh = new Option<bool>("--no-mesh") { Description = "build the network and pods only; start no control plane or ztunnel" };
        var cmd = new Command("up", "build a lab cluster from a lab file and start the mesh on it") { file, name, noMesh };
        cmd.SetAction(async (parse, ct) =>
        {
            var lab = parse.GetValue(name) ?? LabNames.DefaultLab;
            LabNames.ValidateLabName(lab);
            var labFile = LabFileParser.Load(parse.GetRequiredValue(file).FullName);
            var plan = LabPlanner.Plan(labFile, lab, LabEnvironment.Detect());
            var running = await Mesh.Lab.Runtime.Lab.UpAsync(plan, ct);
            if (!parse.GetValue(noMesh))
            {
                await LabMesh.StartAsync(running, MeshBinaries.Locate(), TimeSpan.FromSeconds(60), ct: ct);
            }
            StatusTable.Write(Console.Out, running.Status);
            return 0;
        });
        return cmd;
    }
}
