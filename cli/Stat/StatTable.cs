using System.Globalization;
using Mesh.Cli.Terminal;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mesh.Cli.Stat;

/// <summary><c>meshctl stat</c>'s rows as a Spectre.Console table (never wrapped when the output is not a terminal).</summary>
internal static class StatTable
{
    public static IRenderable Build(IReadOnlyList<StatRow> rows, StatGrouping by, TimeSpan interval)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("NAMESPACE");
        if (by == StatGrouping.Route)
        {
            table.AddColumn("SERVICE").AddColumn("ROUTE");
        }
        else
        {
            table.AddColumn("WORKLOAD");
        }
        foreach (var c in new[] { "SUCCESS", "RPS", "P50", "P95", "P99" })
        {
            table.AddColumn(new TableColumn(c).RightAligned());
        }
        if (by == StatGrouping.Workload)
        {
            table.AddColumn(new TableColumn("TCP_CONN").RightAligned()).AddColumn(new TableColumn("TCP_B/S").RightAligned());
        }
        foreach (var r in rows)
        {
            var cells = new List<IRenderable> { new Text(r.Namespace) };
            if (by == StatGrouping.Route)
            {
                cells.Add(new Text(r.Service ?? "-"));
            }
            cells.Add(new Text(r.Name));
            cells.Add(r.SuccessRate is { } s
                ? new Text(Percent(s), new Style(s >= 0.99 ? Color.Green : s >= 0.9 ? Color.Yellow : Color.Red))
                : new Text("-"));
            cells.Add(new Text(r.Requests > 0 ? Number(r.RequestsPerSecond, "0.0") : "-"));
            cells.Add(new Text(Ms(r.P50Ms)));
            cells.Add(new Text(Ms(r.P95Ms)));
            cells.Add(new Text(Ms(r.P99Ms)));
            if (by == StatGrouping.Workload)
            {
                cells.Add(new Text(r.TcpConnectionsOpen is { } open ? Number(open, "0") : "-"));
                cells.Add(new Text(r.TcpBytesPerSecond is { } b ? Bytes(b) : "-"));
            }
            table.AddRow(cells);
        }
        table.Caption($"over {interval.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s; success = not 5xx; latency in ms");
        return table;
    }

    public static void Write(TextWriter output, IRenderable table, bool terminal)
    {
        var console = TableConsole.Create(output, terminal);
        console.Write(table);
    }

    private static string Percent(double v) => (v * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static string Number(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Ms(double? v) => v is { } ms ? (ms < 10 ? Number(ms, "0.##") : Number(ms, "0")) + "ms" : "-";

    private static string Bytes(double v) => v switch
    {
        >= 1 << 30 => Number(v / (1 << 30), "0.0") + "GiB",
        >= 1 << 20 => Number(v / (1 << 20), "0.0") + "MiB",
        >= 1 << 10 => Number(v / (1 << 10), "0.0") + "KiB",
        _ => Number(v, "0") + "B",
    };
}
