using System.Net;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// The local IPv4 addresses of a network namespace from its <c>/proc/&lt;pid&gt;/net/fib_trie</c> (the kernel's
/// routing trie as seen by that process: an address of the namespace is a leaf followed by a "/32 host LOCAL" line).
/// Reading the file needs no setns. Pure.
/// </summary>
public static class FibTrie
{
    public static IReadOnlySet<IPAddress> LocalAddresses(string text)
    {
        var result = new HashSet<IPAddress>();
        IPAddress? leaf = null;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.StartsWith("|--", StringComparison.Ordinal))
            {
                leaf = IPAddress.TryParse(line[3..].Trim(), out var a) ? a : null;
            }
            else if (line.StartsWith("+--", StringComparison.Ordinal))
            {
                leaf = null;
            }
            else if (leaf is not null && line.StartsWith("/32 host LOCAL", StringComparison.Ordinal))
            {
                if (!IPAddress.IsLoopback(leaf))
                {
                    result.Add(leaf);
                }
            }
        }
        return result;
    }
}
