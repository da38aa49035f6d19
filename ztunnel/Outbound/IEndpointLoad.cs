using Mesh.Core.Model;

namespace Mesh.Ztunnel.Outbound;

/// <summary>How busy an endpoint is (e.g. open connections from this node), used by the power-of-two-choices balancer.</summary>
public interface IEndpointLoad
{
    long Load(Workload endpoint);
}
