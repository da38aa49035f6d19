using Mesh.Lab.Model;
using Mesh.Lab.Planning;

namespace Mesh.Lab.Runtime;

/// <summary>
/// Pods added to and removed from a running lab (<c>meshctl lab apply/delete</c>), in a container runtime's order.
/// Start: cgroup (the kubelet makes the pod cgroup first), network namespace, the Pod in the cluster folder without an
/// address (the API server knows the pod while its sandbox is set up), the CNI chain, the Pod with its address, then
/// the command. Stop: the processes, CNI DEL, the namespace, the cgroup, the Pod. The caller holds the lab's lock.
/// </summary>
internal static class LabPods
{
    public static async Task<IReadOnlyList<PodState>> ApplyAsync(LabEnvironment env, LabState state, LabFile file, bool meshCni, CancellationToken ct)
    {
        var plans = LabPlanner.PlanAdditions(file, state, env);
        foreach (var ns in file.Namespaces)
        {
            ClusterWriter.WriteNamespace(state.ClusterDir, ns);
        }
        foreach (var o in file.Others)
        {
            AtomicFile.Write(Path.Combine(state.ClusterDir, ClusterWriter.FileName(o.Kind, o.Namespace, o.Name)), o.Yaml);
        }
        if (!file.Services.IsEmpty)
        {
            throw new LabException($"{file.SourcePath}: Service '{file.Services[0].Namespace}/{file.Services[0].Name}': lab apply adds Namespaces and Pods; declare Services in the file given to 'meshctl lab up'");
        }
        var started = new List<PodState>();
        foreach (var plan in plans)
        {
            var node = state.Nodes.First(n => n.Name == plan.NodeName);
            Cgroups.Create(plan.CgroupPath);
            try
            {
                await NetworkBuilder.CreateNetnsAsync(state.Name, plan.Netns, ct);
                ClusterWriter.WritePod(state.ClusterDir, plan, node.Ip, podIp: null);
                var ip = await CniChain.AddAsync(state, node, plan.Sandbox, meshCni ? state.MeshCni : null, ct);
                ClusterWriter.WritePod(state.ClusterDir, plan, node.Ip, ip);
            }
            catch (Exception e) when (e is LabException or IOException or OperationCanceledException)
            {
                await UndoAsync(state, plan);
                throw;
            }
            var pid = Launcher.StartDetached(plan.Command, plan.NetnsPath, plan.CgroupPath, plan.LogPath, plan.Env);
            var pod = LabStateFactory.ToState(plan) with { Pid = pid };
            state = state with { Pods = state.Pods.Add(pod) };
            LabStateStore.Write(state);
            started.Add(pod);
        }
        return started;
    }

    public static async Task DeleteAsync(LabState state, IEnumerable<(string Namespace, string Name)> names, CancellationToken ct)
    {
        var errors = new List<string>();
        foreach (var (ns, name) in names)
        {
            var pod = state.Pods.FirstOrDefault(p => p.Namespace == ns && p.Name == name)
                ?? throw new LabException($"no pod '{ns}/{name}' in lab '{state.Name}'; see 'meshctl lab status --name {state.Name}'");
            await Cgroups.KillAndRemoveAsync(pod.CgroupPath, ct);
            errors.AddRange(await CniChain.DelAsync(state, state.Nodes.First(n => n.Name == pod.Node), Sandbox(pod), state.MeshCni, ct));
            await NetworkBuilder.DeleteNetnsAsync(pod.Netns, ct);
            ClusterWriter.RemovePod(state.ClusterDir, ns, name);
            state = state with { Pods = state.Pods.Remove(pod) };
            LabStateStore.Write(state);
        }
        if (errors.Count > 0)
        {
            throw new LabException($"pods removed, but: {string.Join("; ", errors)}");
        }
    }

    public static CniSandbox Sandbox(PodState p) => new(p.Namespace, p.Name, p.KubeUid, p.ContainerId, p.NetnsPath, p.Ip);

    private static async Task UndoAsync(LabState state, PodPlan plan)
    {
        ClusterWriter.RemovePod(state.ClusterDir, plan.Namespace, plan.Name);
        await NetworkBuilder.DeleteNetnsAsync(plan.Netns, CancellationToken.None);
        await Cgroups.KillAndRemoveAsync(plan.CgroupPath, CancellationToken.None);
    }
}
