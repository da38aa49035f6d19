using System.CommandLine;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;

namespace Mesh.Cli.Lab;

/// <summary>
/// <c>meshctl lab apply -f FILE [--name LAB]</c>: add the file's pods (and namespaces) to a running lab, as kubectl
/// apply would; each pod starts only after its node's CNI chain (ptp, then mesh-cni once the mesh runs) succeeded.
/// </summary>
internal static class LabApplyCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file", "-f") { Description = "Kubernetes-shaped YAML with Namespaces and Pods", Required = true, HelpName = "FILE" };
        var name = LabCommand.NameOption("lab (default: the only one)");
        var cmd = new Command("apply", "add pods (and namespaces) to a running lab; each pod goes through the CNI chain before it starts") { file, name };
        cmd.SetAction(async (parse, ct) =>
        {
            var lab = LabCommand.OpenNamedOrOnly(parse.GetValue(name));
            var labFile = LabFileParser.Load(parse.GetRequiredValue(file).FullName);
            foreach (var pod in await lab.ApplyAsync(labFile, ct: ct))
            {
                Console.Out.WriteLine($"pod/{pod.Name} -n {pod.Namespace} started on {pod.Node} ({pod.Ip})");
            }
            return 0;
        });
        return cmd;
    }
}
