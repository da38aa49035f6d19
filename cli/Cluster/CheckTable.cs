using Mesh.Cli.Terminal;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mesh.Cli.Cluster;

/// <summary>Check results as a table (Spectre.Console): one row per prerequisite, never wrapped when the output is not a terminal.</summary>
internal static class CheckTable
{
    public static void Write(TextWriter output, IReadOnlyList<CheckLine> lines, bool terminal)
    {
        var console = TableConsole.Create(output, terminal);
        var table = new Table().Border(TableBorder.Simple).AddColumn("CHECK").AddColumn("RESULT").AddColumn("DETAIL");
        foreach (var line in lines)
        {
            table.AddRow(new IRenderable[]
            {
                new Text(line.Name),
                new Text(line.Status switch { CheckStatus.Ok => "ok", CheckStatus.Fail => "FAIL", _ => "skip" },
                    line.Status switch { CheckStatus.Ok => new Style(Color.Green), CheckStatus.Fail => new Style(Color.Red), _ => Style.Plain }),
                new Text(line.Detail),
            });
        }
        console.Write(table);
    }
}
