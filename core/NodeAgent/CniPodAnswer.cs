namespace Mesh.Core.NodeAgent;

/// <summary>ztunnel's one-line answer to a <see cref="CniPodRequest"/>; <see cref="Outcome"/> is one of <see cref="NodeAgentWire"/>'s outcomes.</summary>
public sealed record CniPodAnswer
{
    public required string Outcome { get; init; }
    /// <summary>Why, in words a user can act on (always set for <c>error</c>).</summary>
    public string? Message { get; init; }
}
