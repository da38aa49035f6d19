using System.Text.RegularExpressions;

namespace Mesh.Lab.Parsing;

/// <summary>Kubernetes name rules the lab enforces (names become parts of netns names and cgroup paths).</summary>
internal static partial class KubeNames
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    /// <summary>RFC 1123 label: namespaces, services, nodes.</summary>
    public static bool IsLabel(string s) => s.Length <= 63 && Label().IsMatch(s);

    /// <summary>RFC 1123 subdomain: pods and other objects.</summary>
    public static bool IsSubdomain(string s) => s.Length <= 253 && Subdomain().IsMatch(s);
}
