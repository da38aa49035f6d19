using System.CommandLine;
using Mesh.Cli.Terminal;
using Mesh.Lab.Planning;
using Mesh.Lab.Runtime;

namespace Mesh.Cli.Lab;

/// <summary><c>meshctl lab</c>: up, down, status, exec, label, apply, delete.</summary>
internal static class LabCommand
{
    public static Command Create()
    {
        var lab = new Command("lab", "a cluster of network namespaces on this machine (needs root)");
        lab.Add(LabUpCommand.Create());
        lab.Add(LabDownCommand.Create());
        lab.Add(LabStatusCommand.Create());
        lab.Add(LabExecCommand.Create());
        lab.Add(LabLabelCommand.Create());
        lab.Add(LabApplyCommand.Create());
        lab.Add(LabDeleteCommand.Create());
        return lab;
    }

    public static Option<string> NameOption(string description) => new("--name")
    {
        Description = description,
        HelpName = "LAB",
    };

    /// <summary>The lab named by --name, or the only lab on the machine.</summary>
    public static Mesh.Lab.Runtime.Lab OpenNamedOrOnly(string? name)
    {
        var env = LabEnvironment.Detect();
        if (name is not null)
        {
            return Mesh.Lab.Runtime.Lab.Open(env, name);
        }
        var labs = Mesh.Lab.Runtime.Lab.List(env);
        return labs.Count switch
        {
            1 => Mesh.Lab.Runtime.Lab.Open(env, labs[0]),
            0 => throw new Mesh.Lab.LabException("no lab is running; start one with 'meshctl lab up -f FILE'"),
            _ => throw new UsageException($"several labs are running ({string.Join(", ", labs)}); pick one with --name"),
        };
    }
}
