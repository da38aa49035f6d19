using Mesh.Lab.Model;
using Mesh.Lab.Runtime;

namespace Mesh.Cli.Lab;

/// <summary>Prints a lab's nodes, pods, services and processes as aligned tables.</summary>
internal static class StatusTable
{
    public static void Write(TextWriter o, LabState s)
    {
        o.WriteLine($"lab {s.Name} ({s.Phase}) from {s.SourceFile}; state in {s.StateDir}");
        Table(o, ["NODE", "IP", "POD-CIDR", "NETNS"],
            [.. s.Nodes.Select(n => new[] { n.Name, n.Ip, n.PodCidr, n.Netns })]);
        Table(o, ["POD", "NODE", "IP", "PID", "STATE", "LOG"],
            [.. s.Pods.Select(p => new[]
            {
                p.Uid, p.Node, p.Ip, p.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                p.Pid is int pid && Alive(pid) ? "running" : "exited", p.LogPath,
            })]);
        if (!s.Services.IsEmpty)
        {
            Table(o, ["SERVICE", "CLUSTER-IP", "PORTS", "ENDPOINTS"],
                [.. s.Services.Select(x => new[]
                {
                    $"{x.Namespace}/{x.Name}", x.ClusterIp ?? "None",
                    string.Join(",", x.Ports.Select(p => $"{p.Port}->{p.TargetPort}")),
                    x.Endpoints.IsEmpty ? "<none>" : string.Join(",", x.Endpoints),
                })]);
        }
        if (!s.Processes.IsEmpty)
        {
            Table(o, ["PROCESS", "WHERE", "PID", "STATE", "LOG"],
                [.. s.Processes.Select(p => new[]
                {
                    p.Name, p.Where, p.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), Alive(p.Pid) ? "running" : "exited", p.LogPath,
                })]);
        }
    }

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}");

    private static void Table(TextWriter o, string[] head, List<string[]> rows)
    {
        var widths = head.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        o.WriteLine();
        o.WriteLine(Line(head, widths));
        foreach (var r in rows)
        {
            o.WriteLine(Line(r, widths));
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
