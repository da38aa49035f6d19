using System.Text.Json.Nodes;
using Mesh.Lab.Launch;
using Mesh.Lab.Model;
using Mesh.Lab.Planning;
using Mesh.Lab.Runtime;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Cni;

/// <summary>
/// One pod sandbox made by hand on node1 of a lab, the way a container runtime makes it: a network namespace (marked as
/// the lab's, so the lab's teardown removes it), the pod's kubepods cgroup named by its uid, the Pod in the cluster
/// folder without an address; plugins are exec'd inside the node's namespace with the CNI environment and config on stdin.
/// </summary>
internal sealed class CniSandboxFixture
{
    private CniSandboxFixture(LabFixture lab, string ns, string name, string uid, string netns, string cgroup)
    {
        Lab = lab;
        Namespace = ns;
        Name = name;
        Uid = uid;
        Netns = netns;
        Cgroup = cgroup;
    }

    public LabFixture Lab { get; }
    public string Namespace { get; }
    public string Name { get; }
    public string Uid { get; }
    public string Netns { get; }
    public string NetnsPath => LabNames.NetnsPath(Netns);
    public string Cgroup { get; }
    public NodeState Node => Lab.State.Nodes.Single(n => n.Name == "node1");
    public string MeshCni => MeshBinaries.Locate().Cni;

    public static async Task<CniSandboxFixture> CreateAsync(LabFixture lab, string ns, string name, string serviceAccount = "default")
    {
        var uid = Guid.NewGuid().ToString("D");
        var netns = $"{lab.Name}-{ns}-{name}";
        await NetworkBuilder.CreateNetnsAsync(lab.Name, netns, CancellationToken.None);
        var cgroup = LabCni.PodCgroup(lab.State.CgroupDir, uid);
        Directory.CreateDirectory(cgroup);
        File.WriteAllText(Path.Combine(lab.State.ClusterDir, $"pod.{ns}.{name}.yaml"), $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{name}}, namespace: {{ns}}, uid: {{uid}}}
            spec: {nodeName: node1, serviceAccountName: {{serviceAccount}}, containers: [{name: c, image: none}]}
            status: {phase: Pending}
            """);
        return new CniSandboxFixture(lab, ns, name, uid, netns, cgroup);
    }

    public Dictionary<string, string> Env(string command) => new()
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = Uid.Replace("-", "", StringComparison.Ordinal),
        ["CNI_NETNS"] = NetnsPath,
        ["CNI_IFNAME"] = "eth0",
        ["CNI_PATH"] = LabCni.PluginDir,
        ["CNI_ARGS"] = $"IgnoreUnknown=1;K8S_POD_NAMESPACE={Namespace};K8S_POD_NAME={Name};K8S_POD_INFRA_CONTAINER_ID=x;K8S_POD_UID={Uid}",
    };

    public JsonObject PtpConfig() => LabCni.Ptp(Lab.Name, Node.Index, Lab.State.StateDir);

    public JsonObject MeshConfig(JsonNode? prevResult, string? socket = null) => LabCni.MeshCni(Lab.Name, socket ?? Node.CniSocket, prevResult);

    /// <summary>Runs a plugin in node1's namespace as the runtime does.</summary>
    public Task<CommandResult> RunAsync(string plugin, IReadOnlyDictionary<string, string> env, string stdin) =>
        Shell.RunAsync("ip", ["netns", "exec", Node.Netns, plugin], stdin, TimeSpan.FromSeconds(60), env);

    public async Task<JsonNode> PtpAddAsync()
    {
        var r = await RunAsync(Path.Combine(LabCni.PluginDir, "ptp"), Env("ADD"), PtpConfig().ToJsonString());
        Assert.True(r.Ok, $"ptp ADD failed: {r.Stdout}{r.Stderr}");
        return JsonNode.Parse(r.Stdout)!;
    }

    public async Task<bool> CapturedAsync()
    {
        var r = await Shell.RunAsync("bpftool", ["cgroup", "show", Cgroup], null, TimeSpan.FromSeconds(10));
        return r.Stdout.Contains("connect4", StringComparison.Ordinal);
    }
}
