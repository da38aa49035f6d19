using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Mesh.Lab.Planning;

namespace Mesh.Tests.Integration.Lab;

/// <summary>Reads the machine's state (netns, links, routes, cgroups, processes) to check what a lab left.</summary>
internal static class LabInspector
{
    public static string Run(params string[] argv)
    {
        var psi = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in argv.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    public static List<string> Netns() =>
        [.. Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0])];

    public static List<string> RootLinks() =>
        [.. JsonDocument.Parse(Run("ip", "-j", "link", "show")).RootElement.EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!)];

    /// <summary>Every IPv4 route of every table in a netns, except the kernel's local table.</summary>
    public static List<JsonElement> Routes(string netns) =>
        [.. JsonDocument.Parse(Run("ip", "-n", netns, "-j", "-4", "route", "show", "table", "all")).RootElement.EnumerateArray()
            .Where(r => !(r.TryGetProperty("table", out var t) && t.GetString() == "local"))];

    /// <summary>
    /// Why a route leads outside 198.18.0.0/15, or null when it stays inside. A default route is allowed only in a
    /// pod and only via a gateway inside the range (the node it points to has no route out).
    /// </summary>
    public static string? LeadsOut(JsonElement route, bool isPod)
    {
        var dst = route.GetProperty("dst").GetString()!;
        var gw = route.TryGetProperty("gateway", out var g) ? g.GetString() : null;
        if (gw is not null && !LabAddresses.InLab(IPAddress.Parse(gw)))
        {
            return $"gateway {gw} is outside the lab";
        }
        if (dst == "default")
        {
            return isPod && gw is not null ? null : "default route outside a pod";
        }
        var cidr = dst.Contains('/', StringComparison.Ordinal) ? dst : dst + "/32";
        return LabAddresses.CidrInside(cidr, LabAddresses.LabRange) ? null : $"destination {dst} is outside the lab";
    }

    public static bool Alive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z');

    /// <summary>Everything of lab <paramref name="lab"/> that is still on the machine, as readable lines (empty: clean).</summary>
    public static List<string> Leftovers(string lab, LabEnvironment env, IEnumerable<int> pids)
    {
        var left = new List<string>();
        left.AddRange(Netns().Where(n => n.StartsWith(lab + "-", StringComparison.Ordinal)).Select(n => $"netns {n}"));
        left.AddRange(RootLinks().Where(n => n.StartsWith(lab + "-", StringComparison.Ordinal)).Select(n => $"link {n}"));
        var cg = Path.Combine(env.Cgroup2Root, "mesh-lab", lab);
        if (Directory.Exists(cg))
        {
            left.Add($"cgroup {cg}");
        }
        var state = Path.Combine(env.StateRoot, lab);
        if (Directory.Exists(state))
        {
            left.Add($"state {state}");
        }
        left.AddRange(pids.Where(Alive).Select(p => $"process {p}"));
        return left;
    }
}
