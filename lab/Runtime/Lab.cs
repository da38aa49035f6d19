using System.Collections.Immutable;
using Mesh.Lab.Model;
using Mesh.Lab.Planning;

namespace Mesh.Lab.Runtime;

/// <summary>
/// A running lab cluster: bring one up from a <see cref="LabPlan"/>, open one by name, run commands in its pods,
/// start node/fabric processes, toggle namespace labels, tear it down. State lives in /run/mesh-lab/&lt;lab&gt;/.
/// </summary>
public sealed class Lab
{
    private Lab(LabEnvironment env, string name)
    {
        Environment = env;
        Name = name;
    }

    public string Name { get; }
    public LabEnvironment Environment { get; }
    public string StateDir => Path.Combine(Environment.StateRoot, Name);

    /// <summary>The lab as recorded in lab.json (read fresh on each call).</summary>
    public LabState Status => LabStateStore.TryRead(StateDir)
        ?? throw new LabException($"lab '{Name}' is not running (no {LabStateStore.LabJsonPath(StateDir)}); start it with 'meshctl lab up -f FILE --name {Name}'");

    /// <summary>Removes whatever an earlier lab of the same name left, then builds the plan. On failure, removes what it made.</summary>
    public static async Task<Lab> UpAsync(LabPlan plan, CancellationToken ct = default)
    {
        var env = plan.Environment;
        using var l = await LabStateStore.LockAsync(env, plan.Name, ct);
        await LabCleaner.CleanAsync(env, plan.Name, ct);
        Directory.CreateDirectory(plan.LogDir);
        var state = LabStateFactory.FromPlan(plan, "creating");
        LabStateStore.Write(state);
        try
        {
            await RootRoute.AcquireAsync(env, plan.StateDir, ct);
            Cgroups.Create(plan.Fabric.CgroupPath);
            foreach (var n in plan.Nodes)
            {
                Cgroups.Create(n.CgroupPath);
            }
            foreach (var p in plan.Pods)
            {
                Cgroups.Create(p.CgroupPath);
            }
            await NetworkBuilder.BuildAsync(plan, ct);
            ClusterWriter.WriteAll(plan);
            var pods = ImmutableArray.CreateBuilder<PodState>();
            foreach (var (pod, p) in plan.Pods.Zip(state.Pods))
            {
                // The mesh is not installed yet: the chain is the network plugin alone (ztunnel finds these pods running).
                await CniChain.AddAsync(state, state.Nodes.First(n => n.Name == pod.NodeName), pod.Sandbox, meshCni: null, ct);
                var pid = Launcher.StartDetached(pod.Command, pod.NetnsPath, pod.CgroupPath, pod.LogPath, pod.Env);
                pods.Add(p with { Pid = pid });
            }
            state = state with { Phase = "ready", Pods = pods.ToImmutable() };
            LabStateStore.Write(state);
        }
        catch (Exception e) when (e is LabException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            try
            {
                await LabCleaner.CleanAsync(env, plan.Name, CancellationToken.None);
            }
            catch (LabException cleanup)
            {
                throw new LabException($"{e.Message} (and cleaning up failed: {cleanup.Message})", e);
            }
            if (e is LabException or OperationCanceledException)
            {
                throw;
            }
            throw new LabException($"lab '{plan.Name}' could not be built: {e.Message}", e);
        }
        return new Lab(env, plan.Name);
    }

    /// <summary>Removes everything lab <paramref name="name"/> made (also when it crashed half-way). Idempotent.</summary>
    public static Task DownAsync(string name, CancellationToken ct = default) => DownAsync(LabEnvironment.Detect(), name, ct);

    public static async Task DownAsync(LabEnvironment env, string name, CancellationToken ct = default)
    {
        LabNames.ValidateLabName(name);
        using var l = await LabStateStore.LockAsync(env, name, ct);
        await LabCleaner.CleanAsync(env, name, ct);
    }

    /// <summary>Opens a running lab by name.</summary>
    public static Lab Open(string name) => Open(LabEnvironment.Detect(), name);

    public static Lab Open(LabEnvironment env, string name)
    {
        LabNames.ValidateLabName(name);
        var lab = new Lab(env, name);
        _ = lab.Status;
        return lab;
    }

    /// <summary>Names of the labs on this machine (running or left behind).</summary>
    public static IReadOnlyList<string> List(LabEnvironment env) => LabStateStore.ListLabs(env);

    public PodState Pod(string name, string? ns = null)
    {
        var matches = Status.Pods.Where(p => p.Name == name && (ns is null || p.Namespace == ns)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new LabException($"no pod '{(ns is null ? name : $"{ns}/{name}")}' in lab '{Name}'; see 'meshctl lab status --name {Name}'"),
            _ => throw new LabException($"pod name '{name}' is in several namespaces of lab '{Name}'; add -n NAMESPACE"),
        };
    }

    public NodeState Node(string name) => Status.Nodes.FirstOrDefault(n => n.Name == name)
        ?? throw new LabException($"no node '{name}' in lab '{Name}'; nodes are {string.Join(", ", Status.Nodes.Select(n => n.Name))}");

    /// <summary>Runs <paramref name="argv"/> inside the pod's netns and cgroup (e.g. curl) and returns exit code and output.</summary>
    public Task<CommandResult> ExecInPodAsync(
        string pod, IReadOnlyList<string> argv, string? ns = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var p = Pod(pod, ns);
        return Launcher.RunAsync(argv, p.NetnsPath, p.CgroupPath, timeout ?? TimeSpan.FromSeconds(60),
            [new("POD_NAME", p.Name), new("POD_NAMESPACE", p.Namespace), new("POD_IP", p.Ip), new("NODE_NAME", p.Node)], ct);
    }

    /// <summary>Runs <paramref name="argv"/> inside a node's netns and waits (e.g. ip route); not tracked.</summary>
    public Task<CommandResult> ExecInNodeAsync(string node, IReadOnlyList<string> argv, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var n = Node(node);
        return Launcher.RunAsync(argv, n.NetnsPath, n.CgroupPath, timeout ?? TimeSpan.FromSeconds(60), null, ct);
    }

    /// <summary>Starts a long-running process in a node's netns (e.g. ztunnel); logs to logs/&lt;logName&gt;.log; down kills it.</summary>
    public LabProcess StartNodeProcess(string node, IReadOnlyList<string> argv, string logName, IEnumerable<KeyValuePair<string, string>>? env = null)
    {
        var n = Node(node);
        return Start(n.Name, n.NetnsPath, n.CgroupPath, argv, logName,
            (env ?? []).Append(new("NODE_NAME", n.Name)).Append(new("NODE_IP", n.Ip)));
    }

    /// <summary>
    /// Starts a node process the lab keeps running as a kubelet keeps a DaemonSet pod: restarted with backoff when it
    /// exits (<see cref="Launcher.StartSupervised"/>). <see cref="LabProcess.Pid"/> is the supervisor's, tracked in lab.json
    /// like any process; the running child's PID is in <see cref="LabProcess.PidFile"/> (state/pids/&lt;logName&gt;.pid).
    /// </summary>
    public LabProcess StartSupervisedNodeProcess(string node, IReadOnlyList<string> argv, string logName, IEnumerable<KeyValuePair<string, string>>? env = null)
    {
        var n = Node(node);
        return Start(n.Name, n.NetnsPath, n.CgroupPath, argv, logName,
            (env ?? []).Append(new("NODE_NAME", n.Name)).Append(new("NODE_IP", n.Ip)), supervised: true);
    }

    /// <summary>The process this lab started under <paramref name="logName"/> (the latest one of that name).</summary>
    public LabProcess Process(string logName)
    {
        var p = Status.Processes.LastOrDefault(x => x.Name == logName)
            ?? throw new LabException($"lab '{Name}' started no process '{logName}'; see 'meshctl lab status --name {Name}'");
        return new LabProcess(p.Name, p.Where, p.Pid, p.LogPath) { PidFile = p.PidFile };
    }

    /// <summary>
    /// Restarts a supervised process the way a DaemonSet rollout replaces a pod with surge: a new child starts next to
    /// the running one and takes over from it (the old one drains and exits by itself). Returns the new child's PID
    /// once it runs.
    /// </summary>
    public async Task<int> RestartProcessAsync(LabProcess process, CancellationToken ct = default)
    {
        if (process.PidFile is null || !Status.Processes.Any(p => p.Pid == process.Pid))
        {
            throw new LabException($"process '{process.Name}' (pid {process.Pid}) is not supervised by lab '{Name}'; only node processes started supervised restart");
        }
        var before = process.ChildPid();
        await Signal.HangUpAsync(process.Pid, ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.ChildPid() is int pid && pid != before)
            {
                return pid;
            }
            await Task.Delay(20, ct);
        }
        throw new LabException($"the supervisor of '{process.Name}' (pid {process.Pid}) did not start a new process; see {process.LogPath}");
    }

    /// <summary>Starts a long-running process in the fabric netns (e.g. the control plane on 198.19.0.1); down kills it.</summary>
    public LabProcess StartFabricProcess(IReadOnlyList<string> argv, string logName, IEnumerable<KeyValuePair<string, string>>? env = null)
    {
        var f = Status.Fabric;
        return Start("fabric", f.NetnsPath, f.CgroupPath, argv, logName, env ?? []);
    }

    /// <summary>Stops a process this lab started (SIGTERM, then SIGKILL after <paramref name="grace"/>).</summary>
    public async Task StopProcessAsync(LabProcess process, TimeSpan grace, CancellationToken ct = default)
    {
        var state = Status;
        var known = state.Processes.Any(p => p.Pid == process.Pid) || state.Pods.Any(p => p.Pid == process.Pid);
        if (!known || !Cgroups.Contains(Environment.Cgroup2Root, state.CgroupDir, process.Pid))
        {
            return;
        }
        await Signal.TermAsync(process.Pid, ct);
        var deadline = DateTime.UtcNow + grace;
        while (Signal.Alive(process.Pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, ct);
        }
        if (Signal.Alive(process.Pid) && Cgroups.Contains(Environment.Cgroup2Root, state.CgroupDir, process.Pid))
        {
            Signal.Kill(process.Pid);
        }
    }

    /// <summary>
    /// Adds the pods (and namespaces, and uninterpreted objects) of <paramref name="file"/> to the running lab, as kubectl
    /// apply and a kubelet would: each pod's sandbox goes through the CNI chain before its command starts; a chain that
    /// fails (mesh-cni when ztunnel cannot capture the pod) leaves nothing behind and fails with the CNI error.
    /// <paramref name="meshCni"/> false leaves mesh-cni out of the chain (a test of what capture without it looks like).
    /// </summary>
    public async Task<IReadOnlyList<PodState>> ApplyAsync(Model.LabFile file, bool meshCni = true, CancellationToken ct = default)
    {
        using var l = await LabStateStore.LockAsync(Environment, Name, ct);
        return await LabPods.ApplyAsync(Environment, Status, file, meshCni, ct);
    }

    /// <summary>Removes pods from the running lab: processes, CNI DEL (mesh-cni, then ptp), network namespace, cgroup, cluster file.</summary>
    public async Task DeleteAsync(IEnumerable<(string Namespace, string Name)> pods, CancellationToken ct = default)
    {
        using var l = await LabStateStore.LockAsync(Environment, Name, ct);
        await LabPods.DeleteAsync(Status, pods, ct);
    }

    /// <summary>Marks the mesh as installed: pods started from now on run mesh-cni after ptp (<c>LabMesh</c> calls it).</summary>
    public void InstallMeshCni(string meshCni)
    {
        using var l = LabStateStore.Lock(Environment, Name);
        LabStateStore.Write(Status with { MeshCni = meshCni });
    }

    /// <summary>Sets (or, with a null value, removes) a label of a namespace in the cluster folder, atomically.</summary>
    public void SetNamespaceLabel(string ns, string key, string? value)
    {
        using var l = LabStateStore.Lock(Environment, Name);
        ClusterWriter.SetNamespaceLabel(Status.ClusterDir, ns, key, value);
    }

    private LabProcess Start(
        string where, string netnsPath, string cgroupPath, IReadOnlyList<string> argv, string logName,
        IEnumerable<KeyValuePair<string, string>> env, bool supervised = false)
    {
        if (logName.Length == 0 || logName.Contains('/', StringComparison.Ordinal))
        {
            throw new LabException($"log name '{logName}' must be a plain file name without '/'");
        }
        using var l = LabStateStore.Lock(Environment, Name);
        var state = Status;
        var log = Path.Combine(state.LogDir, logName + ".log");
        var pidFile = supervised ? Path.Combine(state.StateDir, "pids", logName + ".pid") : null;
        var pid = pidFile is null
            ? Launcher.StartDetached(argv, netnsPath, cgroupPath, log, env)
            : Launcher.StartSupervised(argv, netnsPath, cgroupPath, log, pidFile, env);
        var proc = new ProcessState(logName, where, pid, log, cgroupPath, [.. argv]) { PidFile = pidFile };
        LabStateStore.Write(state with { Processes = state.Processes.Add(proc) });
        return new LabProcess(logName, where, pid, log) { PidFile = pidFile };
    }
}
