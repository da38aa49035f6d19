using System.CommandLine;
using System.Text.Json;
using Mesh.Lab.Planning;
using Mesh.Lab.Runtime;

namespace Mesh.Cli.Lab;

/// <summary><c>meshctl lab status [--name N] [--json]</c>: nodes, pods, services and processes of the lab(s).</summary>
internal static class LabStatusCommand
{
    public static Command Create()
    {
        var name = LabCommand.NameOption("lab to show (default: all)");
        var json = new Option<bool>("--json") { Description = "print lab.json instead of tables" };
        var cmd = new Command("status", "show the running lab(s)") { name, json };
        cmd.SetAction(parse =>
        {
            var env = LabEnvironment.Detect();
            var n = parse.GetValue(name);
            var labs = n is not null ? [n] : Mesh.Lab.Runtime.Lab.List(env);
            if (labs.Count == 0)
            {
                Console.WriteLine("no lab is running");
                return 0;
            }
            foreach (var lab in labs)
            {
                var state = LabStateStore.TryRead(Path.Combine(env.StateRoot, lab));
                if (state is null)
                {
                    Console.WriteLine($"lab {lab}: left behind without lab.json; remove it with 'meshctl lab down --name {lab}'");
                }
                else if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(state, LabStateStore.Json));
                }
                else
                {
                    StatusTable.Write(Console.Out, state);
                }
            }
            return 0;
        });
        return cmd;
    }
}
