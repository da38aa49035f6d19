using Mesh.Core.Discovery;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Decides what a proxy needs (pure). From a version in this epoch's history: the resources changed since,
/// skipping those whose view bytes did not change. From an unknown version (older than the history, or from
/// before a control plane restart): compare the hashes the proxy sent. With neither: a full state. Any delta
/// touching more than half of the view's resources becomes a full state (cheaper to apply and to send).
/// </summary>
public static class DeltaPlanner
{
    public static DiscoveryPlan Plan(DiscoverySnapshot snapshot, IReadOnlyList<DiscoveryChange> history, DiscoveryView view,
        string? epoch, long version, IReadOnlyDictionary<string, Dictionary<string, string>>? have)
    {
        DiscoveryPlan? plan = null;
        if (epoch == snapshot.Epoch && version == snapshot.Version)
        {
            return new DiscoveryPlan(false, version, [], []);
        }
        if (epoch == snapshot.Epoch && version < snapshot.Version && history.Count > 0 && version >= history[0].Version - 1)
        {
            plan = FromHistory(snapshot, history, view, version);
        }
        else if (have is not null)
        {
            plan = FromHashes(snapshot, view, have);
        }
        if (plan is null)
        {
            return DiscoveryPlan.FullState;
        }
        var total = snapshot.Entries.Count;
        return plan.Upserts.Count > Math.Max(16, total / 2) ? DiscoveryPlan.FullState : plan;
    }

    private static DiscoveryPlan FromHistory(DiscoverySnapshot snapshot, IReadOnlyList<DiscoveryChange> history, DiscoveryView view, long version)
    {
        var oldAt = new Dictionary<ResourceId, ResourceEntry?>();
        foreach (var step in history)
        {
            if (step.Version <= version)
            {
                continue;
            }
            foreach (var (id, old) in step.Changes)
            {
                oldAt.TryAdd(id, old);
            }
        }
        var upserts = new List<ResourceEntry>();
        var removals = new List<ResourceId>();
        foreach (var (id, old) in oldAt)
        {
            if (!view.Includes(id.Kind))
            {
                continue;
            }
            snapshot.Entries.TryGetValue(id, out var now);
            var before = view.Select(old);
            var after = view.Select(now);
            if (after is null)
            {
                if (before is not null)
                {
                    removals.Add(id);
                }
            }
            else if (before is null || before.Value.Hash != after.Value.Hash)
            {
                upserts.Add(now!);
            }
        }
        return new DiscoveryPlan(false, version, upserts, removals);
    }

    private static DiscoveryPlan FromHashes(DiscoverySnapshot snapshot, DiscoveryView view, IReadOnlyDictionary<string, Dictionary<string, string>> have)
    {
        var upserts = new List<ResourceEntry>();
        var removals = new List<ResourceId>();
        foreach (var (id, entry) in snapshot.Entries)
        {
            if (view.Select(entry) is not { } sent)
            {
                continue;
            }
            if (!have.TryGetValue(id.Kind, out var keys) || !keys.TryGetValue(id.Key, out var hash) || hash != ResourceHash.Hex(sent.Hash))
            {
                upserts.Add(entry);
            }
        }
        foreach (var (kind, keys) in have)
        {
            foreach (var key in keys.Keys)
            {
                if (!snapshot.Entries.ContainsKey(new ResourceId(kind, key)))
                {
                    removals.Add(new ResourceId(kind, key));
                }
            }
        }
        return new DiscoveryPlan(false, 0, upserts, removals);
    }
}
