using System.CommandLine;
using Mesh.Cli.Terminal;
using Mesh.Lab.Planning;

namespace Mesh.Cli.Lab;

/// <summary><c>meshctl lab down [--name N | --all]</c>: remove everything a lab made.</summary>
internal static class LabDownCommand
{
    public static Command Create()
    {
        var name = LabCommand.NameOption("lab to remove (default: the only one)");
        var all = new Option<bool>("--all") { Description = "remove every lab on this machine" };
        var cmd = new Command("down", "remove a lab: processes, namespaces, links, cgroups, routes, state") { name, all };
        cmd.SetAction(async (parse, ct) =>
        {
            var env = LabEnvironment.Detect();
            var n = parse.GetValue(name);
            if (n is not null && parse.GetValue(all))
            {
                throw new UsageException("give --name or --all, not both");
            }
            var labs = n is not null ? [n] : Mesh.Lab.Runtime.Lab.List(env);
            if (n is null && !parse.GetValue(all) && labs.Count > 1)
            {
                throw new UsageException($"several labs are running ({string.Join(", ", labs)}); pick one with --name or use --all");
            }
            if (labs.Count == 0)
            {
                Console.WriteLine("no lab to remove");
            }
            foreach (var lab in labs)
            {
                await Mesh.Lab.Runtime.Lab.DownAsync(env, lab, ct);
                Console.WriteLine($"lab {lab} removed");
            }
            return 0;
        });
        return cmd;
    }
}
