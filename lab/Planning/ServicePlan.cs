using System.Collections.Immutable;
using Mesh.Lab.Model;

namespace Mesh.Lab.Planning;

/// <summary>A Service with its VIP (null when headless) and the pods its selector picks (uids, may be empty).</summary>
public sealed record ServicePlan(LabService Service, string? ClusterIp, ImmutableArray<string> EndpointUids)
{
    public string Namespace => Service.Namespace;
    public string Name => Service.Name;
}
