namespace Mesh.Ztunnel.NodeAgent;

/// <summary>The kinds of <see cref="PodOutcome"/>.</summary>
public enum PodOutcomeKind
{
    Undecided,
    Captured,
    NotCaptured,
    Failed,
}
