using System.Collections.Immutable;
using Mesh.Lab.Model;

namespace Mesh.Lab.Planning;

/// <summary>Turns a parsed lab file into a <see cref="LabPlan"/>: names, addresses, routes, paths. Pure.</summary>
public static class LabPlanner
{
    public static LabPlan Plan(LabFile file, string labName, LabEnvironment env)
    {
        LabNames.ValidateLabName(labName);
        if (file.Pods.IsEmpty)
        {
            throw new LabException($"{file.SourcePath}: no Pod objects; a lab needs at least one Pod with spec.nodeName");
        }
        if (file.Nodes.Length > LabAddresses.MaxNodes)
        {
            throw new LabException($"{file.SourcePath}: {file.Nodes.Length} nodes; the lab supports at most {LabAddresses.MaxNodes}");
        }
        var stateDir = Path.Combine(env.StateRoot, labName);
        var cgroupDir = Path.Combine(env.Cgroup2Root, "mesh-lab", labName);
        var logDir = Path.Combine(stateDir, "logs");

        var nodeIndex = file.Nodes.Select((n, i) => (n.Name, Index: i + 1)).ToDictionary(x => x.Name, x => x.Index, StringComparer.Ordinal);
        var pods = PlanPods(file, labName, env, nodeIndex, cgroupDir, logDir, new HashSet<string>());
        var nodes = file.Nodes.Select((n, i) => PlanNode(labName, n, i + 1, file.Nodes.Length, pods, cgroupDir, stateDir)).ToImmutableArray();
        var fabric = new FabricPlan(
            LabNames.FabricNetns(labName),
            LabNames.NetnsPath(LabNames.FabricNetns(labName)),
            LabNames.Bridge(labName),
            LabAddresses.FabricBridge.ToString(),
            Path.Combine(cgroupDir, "fabric"),
            [.. nodes.Select(n => new PlannedRoute(n.PodCidr, n.Ip, LabNames.Bridge(labName), false))]);

        var plan = new LabPlan(labName, file, env, stateDir, Path.Combine(stateDir, "cluster"), logDir, cgroupDir,
            fabric, nodes, pods, PlanServices(file, pods));
        CheckNetnsNames(plan);
        return plan;
    }

    /// <summary>
    /// The pods of <paramref name="file"/> added to running lab <paramref name="state"/> (<c>meshctl lab apply</c>): each
    /// takes the lowest free address of its node. A pod that exists already, or a node the lab does not have, is an error.
    /// </summary>
    public static ImmutableArray<PodPlan> PlanAdditions(LabFile file, LabState state, LabEnvironment env)
    {
        var nodeIndex = state.Nodes.ToDictionary(n => n.Name, n => n.Index, StringComparer.Ordinal);
        foreach (var pod in file.Pods)
        {
            if (!nodeIndex.ContainsKey(pod.NodeName))
            {
                throw new LabException($"{file.SourcePath}: Pod '{pod.Uid}': spec.nodeName: lab '{state.Name}' has no node '{pod.NodeName}'; nodes are {string.Join(", ", state.Nodes.Select(n => n.Name))}");
            }
            if (state.Pods.Any(p => p.Uid == pod.Uid))
            {
                throw new LabException($"{file.SourcePath}: Pod '{pod.Uid}': already in lab '{state.Name}'; delete it first (meshctl lab delete {pod.Name} -n {pod.Namespace})");
            }
        }
        var taken = state.Pods.Select(p => p.Ip).ToHashSet(StringComparer.Ordinal);
        var plans = PlanPods(file, state.Name, env, nodeIndex, state.CgroupDir, state.LogDir, taken);
        var names = plans.Select(p => p.Netns).Concat(state.AllNetns).GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (names is not null)
        {
            throw new LabException($"{file.SourcePath}: network namespace '{names.Key}' would be used twice; rename the pod");
        }
        return plans;
    }

    private static ImmutableArray<PodPlan> PlanPods(
        LabFile file, string lab, LabEnvironment env, Dictionary<string, int> nodeIndex, string cgroupDir, string logDir,
        IReadOnlySet<string> takenIps)
    {
        var perNode = new Dictionary<string, int>(StringComparer.Ordinal);
        var waypoints = WaypointGateways(file);
        var result = ImmutableArray.CreateBuilder<PodPlan>(file.Pods.Length);
        for (var g = 0; g < file.Pods.Length; g++)
        {
            var pod = file.Pods[g];
            var ni = nodeIndex[pod.NodeName];
            var k = perNode.GetValueOrDefault(pod.NodeName);
            while (k < LabAddresses.MaxPodsPerNode && takenIps.Contains(LabAddresses.Pod(ni, k).ToString()))
            {
                k++;
            }
            if (k >= LabAddresses.MaxPodsPerNode)
            {
                throw new LabException($"{file.SourcePath}: Pod '{pod.Uid}': spec.nodeName: node '{pod.NodeName}' already has {k} pods; the lab supports at most {LabAddresses.MaxPodsPerNode} per node, move some to another node");
            }
            perNode[pod.NodeName] = k + 1;
            var ip = LabAddresses.Pod(ni, k).ToString();
            var gw = LabAddresses.PodGateway(ni).ToString();
            var netns = LabNames.PodNetns(lab, pod.Namespace, pod.Name);
            var podEnv = ImmutableArray.Create<KeyValuePair<string, string>>(
                new("POD_NAME", pod.Name), new("POD_NAMESPACE", pod.Namespace), new("POD_IP", ip),
                new("NODE_NAME", pod.NodeName), new("SERVICE_ACCOUNT", pod.ServiceAccount))
                .AddRange(WaypointEnv(pod, waypoints, Path.Combine(env.StateRoot, lab))).AddRange(pod.Env);
            var uid = LabCni.PodUid(lab, pod.Namespace, pod.Name);
            result.Add(new PodPlan(
                pod, pod.NodeName, ni, ip, gw, netns, LabNames.NetnsPath(netns), "eth0", uid,
                LabCni.PodCgroup(cgroupDir, uid),
                Path.Combine(logDir, $"{pod.Namespace}_{pod.Name}.log"),
                ResolveCommand(pod.Command, file.BaseDirectory),
                podEnv));
        }
        return result.ToImmutable();
    }

    private static NodePlan PlanNode(
        string lab, LabNode node, int index, int nodeCount, ImmutableArray<PodPlan> pods, string cgroupDir, string stateDir)
    {
        // The /32 route to each local pod is ptp's (made at CNI ADD), not the plan's.
        var routes = ImmutableArray.CreateBuilder<PlannedRoute>();
        for (var j = 1; j <= nodeCount; j++)
        {
            if (j != index)
            {
                routes.Add(new PlannedRoute(LabAddresses.PodCidr(j), LabAddresses.Node(j).ToString(), "eth0", false));
            }
        }
        var netns = LabNames.NodeNetns(lab, node.Name);
        return new NodePlan(
            node.Name, index, netns, LabNames.NetnsPath(netns), LabAddresses.Node(index).ToString(),
            LabAddresses.PodCidr(index), LabAddresses.PodGateway(index).ToString(), "eth0", LabNames.FabricPort(lab, index),
            Path.Combine(cgroupDir, "nodes", node.Name), Path.Combine(stateDir, "nodes", node.Name), routes.ToImmutable());
    }

    private static ImmutableArray<ServicePlan> PlanServices(LabFile file, ImmutableArray<PodPlan> pods)
    {
        var taken = new Dictionary<string, LabService>(StringComparer.Ordinal);
        foreach (var s in file.Services.Where(s => s.ClusterIp is not null))
        {
            var ip = s.ClusterIp!.ToString();
            if (taken.TryGetValue(ip, out var other))
            {
                throw new LabException($"{file.SourcePath}: Service '{s.Namespace}/{s.Name}': spec.clusterIP: {ip} is already used by Service '{other.Namespace}/{other.Name}'; pick another or remove it to get one allocated");
            }
            taken[ip] = s;
        }
        var next = 0;
        var result = ImmutableArray.CreateBuilder<ServicePlan>(file.Services.Length);
        foreach (var s in file.Services)
        {
            string? vip = null;
            if (s.ClusterIp is not null)
            {
                vip = s.ClusterIp.ToString();
            }
            else if (!s.Headless)
            {
                do
                {
                    vip = LabAddresses.ServiceVip(next++).ToString();
                }
                while (taken.ContainsKey(vip));
            }
            var endpoints = s.Selector.IsEmpty
                ? []
                : pods.Where(p => p.Namespace == s.Namespace && s.Selector.All(kv => p.Pod.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
                      .Select(p => p.Uid).ToImmutableArray();
            result.Add(new ServicePlan(s, vip, endpoints));
        }
        return result.ToImmutable();
    }

    /// <summary>A relative path with a '/' (e.g. ../artifacts/bin/x) resolves against the lab file's folder; bare names use PATH.</summary>
    /// <summary>
    /// A waypoint pod (labelled <c>gateway.networking.k8s.io/gateway-name</c>) gets what a Kubernetes waypoint
    /// Deployment would be given: the Gateway's name, the control plane address, the trust bundle and, as the lab's
    /// interim credential, its node's control plane token file (see ARCHITECTURE.md, Waypoint).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> WaypointEnv(LabPod pod, IReadOnlySet<(string Namespace, string Name)> waypoints, string stateDir)
    {
        if (!pod.Labels.TryGetValue(WaypointGatewayLabel, out var gateway) || !waypoints.Contains((pod.Namespace, gateway)))
        {
            return [];
        }
        return
        [
            new("GATEWAY_NAME", gateway),
            new("MESH_CONTROL_PLANE", $"https://{LabAddresses.FabricBridge}:{LabNames.ControlPlanePort}"),
            new("MESH_ROOT_CERT", LabNames.TrustBundlePath(stateDir)),
            new("MESH_TOKEN_FILE", LabNames.NodeTokenPath(stateDir, pod.NodeName)),
        ];
    }

    public const string WaypointGatewayLabel = "gateway.networking.k8s.io/gateway-name";

    /// <summary>The Gateways of class mesh-waypoint in the lab file (namespace, name).</summary>
    public static IReadOnlySet<(string Namespace, string Name)> WaypointGateways(LabFile file)
    {
        var result = new HashSet<(string, string)>();
        foreach (var o in file.Others.Where(o => o.Kind == "Gateway" && o.ApiVersion.StartsWith("gateway.networking.k8s.io/", StringComparison.Ordinal)))
        {
            var stream = new YamlDotNet.RepresentationModel.YamlStream();
            stream.Load(new StringReader(o.Yaml));
            if (stream.Documents.FirstOrDefault()?.RootNode is YamlDotNet.RepresentationModel.YamlMappingNode root &&
                root.Children.TryGetValue(new YamlDotNet.RepresentationModel.YamlScalarNode("spec"), out var spec) &&
                spec is YamlDotNet.RepresentationModel.YamlMappingNode specMap &&
                specMap.Children.TryGetValue(new YamlDotNet.RepresentationModel.YamlScalarNode("gatewayClassName"), out var cls) &&
                cls is YamlDotNet.RepresentationModel.YamlScalarNode { Value: Mesh.Core.MeshLabels.WaypointGatewayClass })
            {
                result.Add((o.Namespace ?? "default", o.Name));
            }
        }
        return result;
    }

    public static ImmutableArray<string> ResolveCommand(ImmutableArray<string> command, string baseDirectory)
    {
        var first = command[0];
        if (first.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(first))
        {
            return command.SetItem(0, Path.GetFullPath(Path.Combine(baseDirectory, first)));
        }
        return command;
    }

    private static void CheckNetnsNames(LabPlan plan)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal) { [plan.Fabric.Netns] = "the fabric" };
        foreach (var (netns, owner) in plan.Nodes.Select(n => (n.Netns, $"Node '{n.Name}'"))
                     .Concat(plan.Pods.Select(p => (p.Netns, $"Pod '{p.Uid}'"))))
        {
            if (owners.TryGetValue(netns, out var first))
            {
                throw new LabException($"{plan.File.SourcePath}: {owner}: metadata.name: its network namespace '{netns}' collides with {first}; rename one of them");
            }
            owners[netns] = owner;
        }
    }
}
