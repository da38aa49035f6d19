namespace Mesh.Core.NodeAgent;

/// <summary>
/// What the CNI plugin (<c>mesh-cni</c>) tells the node's ztunnel about one pod sandbox: one JSON line on the node
/// agent's unix socket (<see cref="NodeAgentWire"/>). <see cref="Command"/> is <c>add</c>, <c>check</c> or <c>del</c>.
/// </summary>
public sealed record CniPodRequest
{
    public required string Command { get; init; }
    /// <summary>The pod's Kubernetes uid (CNI_ARGS K8S_POD_UID).</summary>
    public required string Uid { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    /// <summary>CNI_NETNS: the sandbox's network namespace (a pinned file such as /run/netns/cni-...).</summary>
    public required string NetnsPath { get; init; }
    public string? ContainerId { get; init; }
    /// <summary>The pod's addresses from the network plugin's result (prevResult ips[].address, without the prefix length).</summary>
    public string[] Ips { get; init; } = [];
}
