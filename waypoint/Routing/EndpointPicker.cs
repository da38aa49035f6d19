using System.Collections.Immutable;

namespace Mesh.Waypoint.Routing;

/// <summary>Chooses the endpoint of one attempt: uniformly at random, avoiding endpoints that already failed this request while others remain. Pure.</summary>
public static class EndpointPicker
{
    public static BackendEndpoint Pick(ImmutableArray<BackendEndpoint> endpoints, Random random, IReadOnlyCollection<BackendEndpoint>? failed = null)
    {
        if (endpoints.IsEmpty)
        {
            throw new ArgumentException("no endpoints to pick from", nameof(endpoints));
        }
        if (failed is { Count: > 0 })
        {
            var fresh = endpoints.Where(e => !failed.Contains(e)).ToArray();
            if (fresh.Length > 0)
            {
                return fresh[random.Next(fresh.Length)];
            }
        }
        return endpoints[random.Next(endpoints.Length)];
    }
}
