namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// Where the kubelet puts a pod's cgroup on cgroup v2, from the pod's uid, under both cgroup drivers (pure):
/// systemd <c>kubepods.slice/kubepods-&lt;qos&gt;.slice/kubepods-&lt;qos&gt;-pod&lt;uid with '_' for '-'&gt;.slice</c>,
/// cgroupfs <c>kubepods/&lt;qos&gt;/pod&lt;uid&gt;</c>, with qos besteffort or burstable; guaranteed pods sit directly
/// under kubepods. The kubelet creates the pod cgroup before it asks the runtime for the sandbox, so it exists when the
/// CNI ADD arrives (no process of the pod does yet). See ARCHITECTURE.md, "Node agent and CNI".
/// </summary>
public static class KubepodsCgroups
{
    private static readonly string[] QosClasses = ["besteffort", "burstable"];

    /// <summary>Every place the pod's cgroup can be, relative to the cgroup v2 root, systemd driver first.</summary>
    public static IReadOnlyList<string> Candidates(string uid)
    {
        var escaped = uid.Replace('-', '_');
        var result = new List<string>(6);
        foreach (var qos in QosClasses)
        {
            result.Add($"kubepods.slice/kubepods-{qos}.slice/kubepods-{qos}-pod{escaped}.slice");
        }
        result.Add($"kubepods.slice/kubepods-pod{escaped}.slice");
        foreach (var qos in QosClasses)
        {
            result.Add($"kubepods/{qos}/pod{uid}");
        }
        result.Add($"kubepods/pod{uid}");
        return result;
    }

    /// <summary>The pod's cgroup directory under <paramref name="root"/>, or null when none of the candidates exists.</summary>
    public static string? Find(string root, string uid, Func<string, bool> exists)
    {
        if (!IsUid(uid))
        {
            return null;
        }
        foreach (var c in Candidates(uid))
        {
            var path = Path.Combine(root, c);
            if (exists(path))
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>
    /// The pod uid a cgroup path names (its innermost <c>pod&lt;uid&gt;</c> directory, either driver), or null: a
    /// container's cgroup is a child of its pod's, so <c>.../pod&lt;uid&gt;/&lt;container&gt;</c> names the pod too.
    /// </summary>
    public static string? PodUidOf(string cgroupPath)
    {
        var segments = cgroupPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            var s = segments[i];
            if (s.StartsWith("kubepods-", StringComparison.Ordinal) && s.EndsWith(".slice", StringComparison.Ordinal))
            {
                var at = s.LastIndexOf("-pod", StringComparison.Ordinal);
                if (at >= 0)
                {
                    var uid = s[(at + 4)..^".slice".Length].Replace('_', '-');
                    if (IsUid(uid))
                    {
                        return uid;
                    }
                }
            }
            else if (s.StartsWith("pod", StringComparison.Ordinal) && IsUid(s[3..]) && i > 0 && segments.AsSpan(0, i).Contains("kubepods"))
            {
                return s[3..];
            }
        }
        return null;
    }

    /// <summary>A Kubernetes uid as the kubelet writes it: 8-4-4-4-12 hex digits.</summary>
    public static bool IsUid(string uid) => uid.Length == 36 && Guid.TryParseExact(uid, "D", out _);
}
