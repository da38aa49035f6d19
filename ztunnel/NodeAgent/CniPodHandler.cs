using System.Collections.Immutable;
using System.Net;
using Mesh.Core.NodeAgent;
using Mesh.Core.Model;
using Mesh.Core.State;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// What ztunnel does with one CNI request. ADD: checks the sandbox (netns exists, an IPv4 address, the pod's cgroup from
/// its uid), puts the pod in <see cref="LocalPods"/> and waits for the reconciler's verdict on it: captured (listeners
/// and programs attached), not captured, or an error; no verdict within <see cref="AddTimeout"/> is an error that names
/// what was missing. CHECK: answers from the current verdict. DEL: forgets the pod (the reconciler releases it).
/// </summary>
public sealed class CniPodHandler(string cgroupRoot, IReadOnlySnapshot<MeshState> state, LocalPods pods)
{
    /// <summary>Below mesh-cni's default timeout (20 s), so the plugin gets ztunnel's reason rather than a timeout.</summary>
    public TimeSpan AddTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public async Task<CniPodAnswer> HandleAsync(CniPodRequest request, CancellationToken ct) => request.Command switch
    {
        NodeAgentWire.Add => await AddAsync(request, ct).ConfigureAwait(false),
        NodeAgentWire.Check => Check(request),
        _ => Del(request),
    };

    private async Task<CniPodAnswer> AddAsync(CniPodRequest request, CancellationToken ct)
    {
        if (!File.Exists(request.NetnsPath))
        {
            return Error($"network namespace {request.NetnsPath} does not exist (the sandbox is gone)");
        }
        var ip = request.Ips.Select(s => IPAddress.TryParse(s, out var a) ? a : null)
            .FirstOrDefault(a => a?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        if (ip is null)
        {
            return Error($"no IPv4 address in the network plugin's result ({string.Join(", ", request.Ips)}); list mesh-cni after the plugin that gives the pod its address");
        }
        var cgroup = KubepodsCgroups.Find(cgroupRoot, request.Uid, Directory.Exists);
        var pod = new NodePod
        {
            Uid = request.Uid,
            Name = request.Name,
            Namespace = request.Namespace,
            Ip = ip.ToString(),
            NetnsPath = request.NetnsPath,
            CgroupPath = cgroup ?? "",
        };
        if (cgroup is null)
        {
            // Capture needs the cgroup; a pod that is not to be captured can start without it.
            return PodAdmission.Decide(state.Current, pod).Kind == PodOutcomeKind.NotCaptured
                ? new CniPodAnswer { Outcome = NodeAgentWire.NotCaptured, Message = "namespace not enrolled" }
                : Error($"no cgroup for pod uid {request.Uid} under {cgroupRoot} (looked for {string.Join(", ", KubepodsCgroups.Candidates(request.Uid).Take(4))}, ...); check ztunnel's --cgroup-root");
        }
        var generation = pods.Set(pod);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(AddTimeout);
        PodOutcome? outcome = null;
        while (true)
        {
            var published = pods.Published;
            outcome = pods.Outcome(pod.Uid, generation) ?? outcome;
            if (outcome is { IsFinal: true })
            {
                break;
            }
            try
            {
                await published.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                pods.Remove(pod.Uid, pod.NetnsPath);
                return Error($"not decided within {AddTimeout.TotalSeconds:0} s: {outcome?.Reason ?? "the reconciler did not run"}");
            }
        }
        if (outcome.Kind == PodOutcomeKind.Failed)
        {
            pods.Remove(pod.Uid, pod.NetnsPath);
        }
        return Answer(outcome);
    }

    private CniPodAnswer Check(CniPodRequest request)
    {
        var (current, generation) = pods.Current;
        if (!current.TryGetValue(request.Uid, out var pod) || pod.NetnsPath != request.NetnsPath)
        {
            return Error($"ztunnel does not know pod {request.Namespace}/{request.Name} in {request.NetnsPath}; it was not added since ztunnel started and not found running");
        }
        var outcome = pods.Outcome(request.Uid, generation);
        return outcome is { IsFinal: true } ? Answer(outcome) : Error(outcome?.Reason ?? "not decided yet");
    }

    private CniPodAnswer Del(CniPodRequest request)
    {
        pods.Remove(request.Uid, request.NetnsPath);
        return new CniPodAnswer { Outcome = NodeAgentWire.Removed };
    }

    private static CniPodAnswer Answer(PodOutcome outcome) => outcome.Kind switch
    {
        PodOutcomeKind.Captured => new CniPodAnswer { Outcome = NodeAgentWire.Captured },
        PodOutcomeKind.NotCaptured => new CniPodAnswer { Outcome = NodeAgentWire.NotCaptured, Message = outcome.Reason },
        _ => Error(outcome.Reason),
    };

    private static CniPodAnswer Error(string message) => new() { Outcome = NodeAgentWire.Error, Message = message };
}
