using System.Globalization;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// The I/O of the scan for running pods: every process of /proc whose cgroup names a pod uid (kubepods layout), with its
/// network namespace inode (the /proc/&lt;pid&gt;/ns/net link) and that namespace's local addresses (its
/// /proc/&lt;pid&gt;/net/fib_trie, read once per namespace); and the pinned namespaces from /proc/self/mountinfo. No setns.
/// Processes that end during the scan are skipped.
/// </summary>
public static class ProcScanner
{
    public static List<ProcessNetns> PodProcesses(string proc = "/proc")
    {
        var result = new List<ProcessNetns>();
        var addresses = new Dictionary<ulong, IReadOnlySet<System.Net.IPAddress>>();
        foreach (var dir in Directory.EnumerateDirectories(proc))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var cgroup = UnifiedCgroup(File.ReadAllText(Path.Combine(dir, "cgroup")));
                if (cgroup is null || KubepodsCgroups.PodUidOf(cgroup) is null)
                {
                    continue;
                }
                var link = new FileInfo(Path.Combine(dir, "ns", "net")).LinkTarget;
                if (link is null || NsfsMounts.NetnsInode(link) is not { } inode)
                {
                    continue;
                }
                if (!addresses.TryGetValue(inode, out var local))
                {
                    local = FibTrie.LocalAddresses(File.ReadAllText(Path.Combine(dir, "net", "fib_trie")));
                    addresses[inode] = local;
                }
                result.Add(new ProcessNetns(pid, cgroup, inode, local));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the process ended while we looked
            }
        }
        return result;
    }

    public static IReadOnlyDictionary<ulong, string> NetnsPins(string proc = "/proc") =>
        NsfsMounts.NetnsPins(File.ReadAllText(Path.Combine(proc, "self", "mountinfo")));

    /// <summary>The cgroup v2 path of a /proc/&lt;pid&gt;/cgroup text (the "0::" line).</summary>
    public static string? UnifiedCgroup(string text)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
            {
                return line[3..].ToString();
            }
        }
        return null;
    }
}
