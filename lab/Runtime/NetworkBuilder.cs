using Mesh.Lab.Planning;

namespace Mesh.Lab.Runtime;

/// <summary>
/// Creates the lab's namespaces, links, addresses and routes from a plan with ip(8). Veths are created with both
/// ends directly inside lab namespaces, so no link ever appears in the root namespace. A pod's namespace is only
/// created here: its interface and routes are the CNI chain's (<see cref="CniChain"/>, ptp makes the veth inside the node).
/// </summary>
internal static class NetworkBuilder
{
    public static async Task BuildAsync(LabPlan plan, CancellationToken ct)
    {
        var existing = await ListNetnsAsync(ct);
        foreach (var netns in plan.AllNetns)
        {
            if (existing.Contains(netns))
            {
                throw new LabException($"network namespace {netns} already exists and lab '{plan.Name}' did not make it; remove it (ip netns del {netns}) or use another lab name");
            }
            await CreateNetnsAsync(plan.Name, netns, ct);
        }

        var f = plan.Fabric;
        await Shell.IpBatchAsync("creating the fabric bridge", f.Netns,
            [$"link add {f.Bridge} type bridge", $"addr add {f.Ip}/24 dev {f.Bridge}", $"link set {f.Bridge} up"], ct);

        foreach (var n in plan.Nodes)
        {
            await Shell.IpBatchAsync($"connecting node {n.Name} to the fabric", n.Netns,
                [$"link add {n.Uplink} type veth peer name {n.FabricPort} netns {f.Netns}",
                 $"addr add {n.Ip}/24 dev {n.Uplink}", $"link set {n.Uplink} up"], ct);
            await Shell.IpBatchAsync($"attaching node {n.Name} to the bridge", f.Netns,
                [$"link set {n.FabricPort} master {f.Bridge}", $"link set {n.FabricPort} up"], ct);
            await SysctlAsync(n.Netns, "net.ipv4.ip_forward=1", ct);
        }

        foreach (var n in plan.Nodes.Where(n => !n.Routes.IsEmpty))
        {
            await Shell.IpBatchAsync($"routing node {n.Name}", n.Netns, n.Routes.Select(r => r.ToIpArgs()), ct);
        }
        if (!f.Routes.IsEmpty)
        {
            await Shell.IpBatchAsync("routing the fabric", f.Netns, f.Routes.Select(r => r.ToIpArgs()), ct);
        }
    }

    /// <summary>Creates a lab network namespace with lo up and carrying the lab's alias.</summary>
    public static async Task CreateNetnsAsync(string lab, string netns, CancellationToken ct)
    {
        await Shell.IpAsync($"creating network namespace {netns}", ["netns", "add", netns], ct: ct);
        await Shell.IpBatchAsync($"setting up lo in {netns}", netns, [$"link set dev lo alias {LabNames.LoopbackAlias(lab)}", "link set dev lo up"], ct);
    }

    /// <summary>Removes a network namespace (gone already counts as done).</summary>
    public static async Task DeleteNetnsAsync(string netns, CancellationToken ct)
    {
        var r = await Shell.RunAsync("ip", ["netns", "del", netns], ct: ct);
        if (!r.Ok && !r.Stderr.Contains("No such file", StringComparison.Ordinal))
        {
            throw new LabException($"removing network namespace {netns}: {r.Stderr.Trim()}");
        }
    }

    private static async Task SysctlAsync(string netns, string setting, CancellationToken ct)
    {
        var r = await Shell.RunAsync("ip", ["netns", "exec", netns, "sysctl", "-qw", setting], ct: ct);
        if (!r.Ok)
        {
            throw new LabException($"setting {setting} in {netns} failed: {r.Stderr.Trim()}");
        }
    }

    /// <summary>Names of existing network namespaces (ip netns list), without the "(id: N)" suffix.</summary>
    public static async Task<List<string>> ListNetnsAsync(CancellationToken ct)
    {
        var r = await Shell.RunAsync("ip", ["netns", "list"], ct: ct);
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0])];
    }

    /// <summary>True when the netns holds no interface but lo.</summary>
    public static async Task<bool> IsEmptyAsync(string netns, CancellationToken ct)
    {
        var r = await Shell.RunAsync("ip", ["-n", netns, "-o", "link", "show"], ct: ct);
        return r.Ok && r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).All(l => l.Contains(": lo:", StringComparison.Ordinal));
    }

    /// <summary>True when lo in <paramref name="netns"/> carries the lab's alias (the netns was made by that lab).</summary>
    public static async Task<bool> IsMarkedAsync(string netns, string lab, CancellationToken ct)
    {
        var r = await Shell.RunAsync("ip", ["-n", netns, "-o", "link", "show", "dev", "lo"], ct: ct);
        return r.Ok && r.Stdout.Contains("alias " + LabNames.LoopbackAlias(lab), StringComparison.Ordinal);
    }
}
