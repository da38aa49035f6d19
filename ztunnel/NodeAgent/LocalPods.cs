using System.Collections.Immutable;
using Mesh.Core.State;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// The pods on this node and where they live (netns, cgroup): added by CNI ADD or found by the scan of running pods,
/// removed by CNI DEL or when their namespace is gone; the reconciler's input in place of the old pods.json. The
/// reconciler publishes each pod's <see cref="PodOutcome"/> after every pass, tagged with the generation of the pod set it
/// planned from, so an ADD waits for a verdict on exactly its own sandbox. Snapshots are immutable, writers serialize.
/// </summary>
public sealed class LocalPods
{
    private readonly Lock _lock = new();
    private readonly SnapshotHolder<PodSet> _set = new(new PodSet(ImmutableDictionary<string, NodePod>.Empty.WithComparers(StringComparer.Ordinal), 0));
    private readonly SnapshotHolder<Verdicts> _verdicts = new(new Verdicts(0, ImmutableDictionary<string, PodOutcome>.Empty));

    private sealed record PodSet(ImmutableDictionary<string, NodePod> Pods, long Generation);

    private sealed record Verdicts(long Generation, ImmutableDictionary<string, PodOutcome> Outcomes);

    /// <summary>The pods now, with the generation of this set.</summary>
    public (ImmutableDictionary<string, NodePod> Pods, long Generation) Current
    {
        get
        {
            var set = _set.Current;
            return (set.Pods, set.Generation);
        }
    }

    /// <summary>Completes at the next change of the set after the call.</summary>
    public Task Changed => _set.Changed;

    /// <summary>Adds or replaces a pod (a new sandbox of the same uid replaces the old); returns the new generation.</summary>
    public long Set(NodePod pod) => Change(p => p.SetItem(pod.Uid, pod));

    /// <summary>Adds the pods that are not there yet (the scan never replaces what a CNI ADD reported).</summary>
    public long AddMissing(IEnumerable<NodePod> pods) => Change(p =>
    {
        foreach (var pod in pods)
        {
            p = p.ContainsKey(pod.Uid) ? p : p.Add(pod.Uid, pod);
        }
        return p;
    });

    /// <summary>Removes the pod; with <paramref name="netnsPath"/> only while it still lives there (a DEL of an older sandbox keeps the newer one).</summary>
    public long Remove(string uid, string? netnsPath = null) => Change(p =>
        p.TryGetValue(uid, out var cur) && (string.IsNullOrEmpty(netnsPath) || cur.NetnsPath == netnsPath) ? p.Remove(uid) : p);

    /// <summary>The reconciler's verdicts on the set of <paramref name="generation"/>.</summary>
    public void Publish(long generation, ImmutableDictionary<string, PodOutcome> outcomes)
    {
        _verdicts.Publish(new Verdicts(generation, outcomes));
    }

    /// <summary>The verdict on <paramref name="uid"/> from a pass that saw at least <paramref name="generation"/>, or null.</summary>
    public PodOutcome? Outcome(string uid, long generation)
    {
        var v = _verdicts.Current;
        return v.Generation >= generation ? v.Outcomes.GetValueOrDefault(uid) : null;
    }

    /// <summary>Completes at the next publication after the call.</summary>
    public Task Published => _verdicts.Changed;

    private long Change(Func<ImmutableDictionary<string, NodePod>, ImmutableDictionary<string, NodePod>> change)
    {
        lock (_lock)
        {
            var current = _set.Current;
            var next = change(current.Pods);
            if (ReferenceEquals(next, current.Pods))
            {
                return current.Generation;
            }
            _set.Publish(new PodSet(next, current.Generation + 1));
            return current.Generation + 1;
        }
    }
}
