using System.Text.RegularExpressions;

namespace Mesh.Lab.Planning;

/// <summary>
/// Names a lab gives to what it creates. The lab name ([a-z0-9]{1,8}) prefixes every netns, link and cgroup so
/// labs running side by side never collide.
/// </summary>
public static partial class LabNames
{
    public const int MaxInterfaceName = 15;
    public const string DefaultLab = "demo";

    [GeneratedRegex("^[a-z0-9]{1,8}$")]
    private static partial Regex LabName();

    public static bool IsValidLabName(string name) => LabName().IsMatch(name);

    public static void ValidateLabName(string name)
    {
        if (!IsValidLabName(name))
        {
            throw new LabException($"lab name '{name}' is not valid; use 1-8 lowercase letters or digits (it prefixes every netns, link and cgroup)");
        }
    }

    /// <summary>The prefix every netns of lab <paramref name="lab"/> starts with.</summary>
    public static string NetnsPrefix(string lab) => lab + "-";

    public static string FabricNetns(string lab) => $"{lab}-fabric";
    public static string NodeNetns(string lab, string node) => $"{lab}-{node}";
    public static string PodNetns(string lab, string ns, string pod) => $"{lab}-{ns}-{pod}";
    public static string NetnsPath(string netns) => $"/run/netns/{netns}";

    public static string Bridge(string lab) => $"{lab}-br";

    /// <summary>The capture instance of a node's ztunnel (its bpffs folder /sys/fs/bpf/mesh/&lt;instance&gt;).</summary>
    public static string ZtunnelInstance(string lab, string node) => $"{lab}-{node}";

    /// <summary>Every capture instance of the lab starts with this ('-' is not in lab names, so no other lab matches).</summary>
    public static string BpfInstancePrefix(string lab) => lab + "-";
    public static string FabricPort(string lab, int nodeIndex) => $"{lab}-n{nodeIndex}";
    public static string PodNodeLink(string lab, int podIndex) => $"{lab}-p{podIndex}";

    /// <summary>The control plane's port on the fabric (CA + discovery).</summary>
    public const int ControlPlanePort = 15012;

    /// <summary>The trust bundle the lab's control plane writes in the lab's state folder.</summary>
    public static string TrustBundlePath(string stateDir) => Path.Combine(stateDir, "mesh", "cp", "ca", "trust-bundle.pem");

    /// <summary>A node's control plane token file in the lab's state folder.</summary>
    public static string NodeTokenPath(string stateDir, string node) => Path.Combine(stateDir, "mesh", "tokens", node);

    /// <summary>The marker set as the alias of lo in every lab netns, so a crashed lab's namespaces are recognised.</summary>
    public static string LoopbackAlias(string lab) => $"mesh-lab:{lab}";
}
