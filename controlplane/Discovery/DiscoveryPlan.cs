namespace Mesh.ControlPlane.Discovery;

/// <summary>What to send a proxy: a full state, or the upserts and removals that bring it from <see cref="From"/> to the snapshot's version.</summary>
public sealed record DiscoveryPlan(bool IsFull, long From, IReadOnlyList<ResourceEntry> Upserts, IReadOnlyList<ResourceId> Removals)
{
    public bool IsEmpty => !IsFull && Upserts.Count == 0 && Removals.Count == 0;
    public static readonly DiscoveryPlan FullState = new(true, 0, [], []);
}
