using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Mesh.Lab.Planning;

/// <summary>
/// The lab's CNI setup, as a kind node's containerd has it (pure): per node a chain of Debian's <c>ptp</c> with
/// <c>host-local</c> IPAM on the node's pod range (gateway .1, default route, <c>ipMasq: false</c>, IPAM state in the
/// lab's folder), then, once the mesh is installed, <c>mesh-cni</c> with the node's ztunnel socket. Each plugin gets
/// its own config with the chain's name and version, and every plugin after the first the previous result.
/// </summary>
public static class LabCni
{
    public const string CniVersion = "1.0.0";
    public const string PluginDir = "/usr/lib/cni";

    public static string NetworkName(string lab) => $"mesh-lab-{lab}";

    /// <summary>The ptp plugin's config for node <paramref name="nodeIndex"/> of lab <paramref name="lab"/>.</summary>
    public static JsonObject Ptp(string lab, int nodeIndex, string stateDir) => new()
    {
        ["cniVersion"] = CniVersion,
        ["name"] = NetworkName(lab),
        ["type"] = "ptp",
        ["ipMasq"] = false,
        ["ipam"] = new JsonObject
        {
            ["type"] = "host-local",
            ["ranges"] = new JsonArray(new JsonArray(new JsonObject
            {
                ["subnet"] = LabAddresses.PodCidr(nodeIndex),
                ["gateway"] = LabAddresses.PodGateway(nodeIndex).ToString(),
            })),
            ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
            ["dataDir"] = Path.Combine(stateDir, "cni", "ipam"),
        },
    };

    /// <summary>mesh-cni's config: the node agent socket of the node's ztunnel, and the previous plugin's result.</summary>
    public static JsonObject MeshCni(string lab, string socket, JsonNode? prevResult)
    {
        var o = new JsonObject
        {
            ["cniVersion"] = CniVersion,
            ["name"] = NetworkName(lab),
            ["type"] = "mesh-cni",
            ["nodeAgentSocket"] = socket,
        };
        if (prevResult is not null)
        {
            o["prevResult"] = prevResult.DeepClone();
        }
        return o;
    }

    /// <summary>CNI_ARGS as the kubelet passes them, plus host-local's IP= so the pod gets its planned address.</summary>
    public static string Args(CniSandbox pod, bool withIp) =>
        $"IgnoreUnknown=1;K8S_POD_NAMESPACE={pod.Namespace};K8S_POD_NAME={pod.Name};K8S_POD_INFRA_CONTAINER_ID={pod.ContainerId};K8S_POD_UID={pod.KubeUid}"
        + (withIp ? $";IP={pod.Ip}" : "");

    /// <summary>The environment of one plugin call.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Env(string command, CniSandbox pod, bool withIp) =>
    [
        new("CNI_COMMAND", command),
        new("CNI_CONTAINERID", pod.ContainerId),
        new("CNI_NETNS", pod.NetnsPath),
        new("CNI_IFNAME", CniSandbox.IfName),
        new("CNI_ARGS", Args(pod, withIp)),
        new("CNI_PATH", PluginDir),
    ];

    /// <summary>A stable Kubernetes-shaped uid (8-4-4-4-12 hex) for a pod of a lab, derived from its names.</summary>
    public static string PodUid(string lab, string ns, string name)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes($"{lab}/{ns}/{name}"));
        return new Guid(h.AsSpan(0, 16)).ToString("D");
    }

    /// <summary>The kubepods cgroup of a pod (cgroupfs driver, besteffort class), under the lab's cgroup folder.</summary>
    public static string PodCgroup(string labCgroupDir, string uid) => Path.Combine(labCgroupDir, "kubepods", "besteffort", "pod" + uid);

    public static string NodeSocket(string nodeStateDir) => Path.Combine(nodeStateDir, "cni.sock");
}
