namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// Pinned network namespaces (bind mounts of nsfs such as /run/netns/cni-1234, which containerd and <c>ip netns</c>
/// make) by inode, from <c>/proc/self/mountinfo</c>: the line's root is <c>net:[&lt;inode&gt;]</c>, the fifth field the
/// mount point, the filesystem type after " - " is nsfs. Pure.
/// </summary>
public static class NsfsMounts
{
    public static IReadOnlyDictionary<ulong, string> NetnsPins(string mountinfo)
    {
        var result = new Dictionary<ulong, string>();
        foreach (var raw in mountinfo.AsSpan().EnumerateLines())
        {
            var line = raw.ToString();
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0 || !line.AsSpan(sep + 3).StartsWith("nsfs ", StringComparison.Ordinal))
            {
                continue;
            }
            var fields = line[..sep].Split(' ');
            if (fields.Length >= 5 && NetnsInode(fields[3]) is { } inode)
            {
                result.TryAdd(inode, Unescape(fields[4]));
            }
        }
        return result;
    }

    /// <summary>"net:[4026532281]" -> 4026532281 (the text of a /proc/&lt;pid&gt;/ns/net link, or an nsfs mount root).</summary>
    public static ulong? NetnsInode(string text) =>
        text.StartsWith("net:[", StringComparison.Ordinal) && text.EndsWith(']') && ulong.TryParse(text.AsSpan(5, text.Length - 6), out var v) ? v : null;

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal (\040).</summary>
    private static string Unescape(string s) => s.Contains('\\', StringComparison.Ordinal)
        ? System.Text.RegularExpressions.Regex.Replace(s, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString())
        : s;
}
