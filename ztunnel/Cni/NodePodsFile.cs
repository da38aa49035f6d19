using System.Collections.Immutable;
using System.Net;
using System.Text.Json;

namespace Mesh.Ztunnel.Cni;

/// <summary>
/// Reads the node's pod report: a JSON array of {uid, ip, netnsPath, cgroupPath, ...} (camelCase) that the
/// lab writes to /run/mesh-lab/&lt;lab&gt;/nodes/&lt;node&gt;/pods.json. Other fields are ignored.
/// </summary>
public static class NodePodsFile
{
    private sealed record Entry(string? Uid, string? Ip, string? NetnsPath, string? CgroupPath);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Parses the report; entries missing a field or with a bad address are skipped and listed in <paramref name="problems"/>.</summary>
    public static ImmutableArray<NodePod> Parse(string json, out ImmutableArray<string> problems)
    {
        var bad = ImmutableArray.CreateBuilder<string>();
        var pods = ImmutableArray.CreateBuilder<NodePod>();
        var entries = JsonSerializer.Deserialize<Entry[]>(json, Json) ?? [];
        foreach (var e in entries)
        {
            if (string.IsNullOrEmpty(e.Uid) || string.IsNullOrEmpty(e.NetnsPath) || string.IsNullOrEmpty(e.CgroupPath))
            {
                bad.Add($"pod '{e.Uid ?? "?"}': uid, netnsPath and cgroupPath are required");
                continue;
            }
            if (!IPAddress.TryParse(e.Ip, out var ip))
            {
                bad.Add($"pod '{e.Uid}': ip '{e.Ip}' is not an address");
                continue;
            }
            pods.Add(new NodePod(e.Uid, ip, e.NetnsPath, e.CgroupPath));
        }
        problems = bad.ToImmutable();
        return pods.ToImmutable();
    }
}
