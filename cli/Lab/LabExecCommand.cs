using System.CommandLine;

namespace Mesh.Cli.Lab;

/// <summary><c>meshctl lab exec POD [-n NS] [--name LAB] -- CMD...</c>: run a command in a pod's netns and cgroup.</summary>
internal static class LabExecCommand
{
    public static Command Create()
    {
        var pod = new Argument<string>("pod") { Description = "pod name" };
        var command = new Argument<string[]>("command") { Description = "command and arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var ns = new Option<string>("--namespace", "-n") { Description = "pod namespace (needed when the name is in several)", HelpName = "NS" };
        var name = LabCommand.NameOption("lab (default: the only one)");
        var timeout = new Option<int>("--timeout") { Description = "seconds before the command is killed", DefaultValueFactory = _ => 60 };
        var cmd = new Command("exec", "run a command inside a pod (its network namespace and cgroup)") { pod, command, ns, name, timeout };
        cmd.SetAction(async (parse, ct) =>
        {
            var lab = LabCommand.OpenNamedOrOnly(parse.GetValue(name));
            var r = await lab.ExecInPodAsync(parse.GetRequiredValue(pod), parse.GetRequiredValue(command), parse.GetValue(ns),
                TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
            Console.Out.Write(r.Stdout);
            Console.Error.Write(r.Stderr);
            return r.ExitCode;
        });
        return cmd;
    }
}
