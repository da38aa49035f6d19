namespace Mesh.Core.NodeAgent;

/// <summary>
/// The namespaces ztunnel last learned from the control plane, with whether each is enrolled; ztunnel writes it next to
/// its socket (<see cref="NodeAgentWire.EnrollmentFile"/>) so that the plugin, when ztunnel cannot be reached, can still
/// let the pods of namespaces that are not enrolled start (a pod of an enrolled or unknown namespace fails instead).
/// </summary>
public sealed record NamespaceEnrollment
{
    public required string Node { get; init; }
    public required Dictionary<string, bool> Namespaces { get; init; }
}
