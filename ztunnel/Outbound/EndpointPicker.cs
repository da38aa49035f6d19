using Mesh.Core.Model;

namespace Mesh.Ztunnel.Outbound;

/// <summary>
/// Power of two choices: draw two distinct endpoints at random and keep the less loaded one. Without a load
/// source it is a uniform random pick. The random source is injected so tests are deterministic.
/// </summary>
internal static class EndpointPicker
{
    public static Workload Pick(IReadOnlyList<Workload> candidates, Random random, IEndpointLoad? load)
    {
        if (candidates.Count == 0)
        {
            throw new ArgumentException("no candidates", nameof(candidates));
        }
        if (candidates.Count == 1)
        {
            return candidates[0];
        }
        var first = random.Next(candidates.Count);
        if (load is null)
        {
            return candidates[first];
        }
        var second = random.Next(candidates.Count - 1);
        if (second >= first)
        {
            second++;
        }
        var a = candidates[first];
        var b = candidates[second];
        return load.Load(b) < load.Load(a) ? b : a;
    }
}
