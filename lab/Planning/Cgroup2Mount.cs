namespace Mesh.Lab.Planning;

/// <summary>Finds the cgroup v2 (unified) mount point in the text of /proc/mounts.</summary>
public static class Cgroup2Mount
{
    /// <summary>The first cgroup2 mount point (octal escapes decoded), or null when there is none.</summary>
    public static string? Find(string procMounts)
    {
        foreach (var line in procMounts.Split('\n'))
        {
            var f = line.Split(' ');
            if (f.Length >= 3 && f[2] == "cgroup2")
            {
                return Unescape(f[1]);
            }
        }
        return null;
    }

    private static string Unescape(string s) =>
        s.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
         .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
