using System.CommandLine;
using Mesh.Cli.Terminal;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;

namespace Mesh.Cli.Lab;

/// <summary><c>meshctl lab delete (-f FILE | POD [-n NS]) [--name LAB]</c>: remove pods from a running lab (CNI DEL included).</summary>
internal static class LabDeleteCommand
{
    public static Command Create()
    {
        var pod = new Argument<string?>("pod") { Description = "pod name", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<FileInfo>("--file", "-f") { Description = "delete the pods this file declares", HelpName = "FILE" };
        var ns = new Option<string>("--namespace", "-n") { Description = "pod namespace (default: default)", HelpName = "NS" };
        var name = LabCommand.NameOption("lab (default: the only one)");
        var cmd = new Command("delete", "remove pods from a running lab") { pod, file, ns, name };
        cmd.SetAction(async (parse, ct) =>
        {
            var podName = parse.GetValue(pod);
            var fileInfo = parse.GetValue(file);
            if ((podName is null) == (fileInfo is null))
            {
                throw new UsageException("give either a pod name or -f FILE, e.g. 'meshctl lab delete client -n app'");
            }
            var lab = LabCommand.OpenNamedOrOnly(parse.GetValue(name));
            var pods = fileInfo is not null
                ? LabFileParser.Load(fileInfo.FullName).Pods.Select(p => (p.Namespace, p.Name)).ToList()
                : [(parse.GetValue(ns) ?? "default", podName!)];
            await lab.DeleteAsync(pods, ct);
            foreach (var (n, p) in pods)
            {
                Console.Out.WriteLine($"pod/{p} -n {n} deleted");
            }
            return 0;
        });
        return cmd;
    }
}
