namespace Mesh.Ztunnel.NodeAgent;

/// <summary>Where a local pod stands after a reconciler pass: what a CNI ADD waiting for it answers.</summary>
public sealed record PodOutcome(PodOutcomeKind Kind, string Reason)
{
    public static readonly PodOutcome Captured = new(PodOutcomeKind.Captured, "captured");
    public static readonly PodOutcome NotCaptured = new(PodOutcomeKind.NotCaptured, "not to be captured");

    public static PodOutcome Undecided(string reason) => new(PodOutcomeKind.Undecided, reason);
    public static PodOutcome Failed(string reason) => new(PodOutcomeKind.Failed, reason);

    /// <summary>True when an ADD can answer now.</summary>
    public bool IsFinal => Kind != PodOutcomeKind.Undecided;
}
