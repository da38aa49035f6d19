using Mesh.Core.Model;

namespace Mesh.Ztunnel.Outbound;

/// <summary>
/// ztunnel's balancer: least outstanding connections by power of two choices. Draw two distinct candidates at random and
/// keep the one with fewer open connections from this ztunnel (<see cref="IEndpointLoad"/>); the pair is drawn in a
/// random order and the first drawn wins a tie, so ties are random too. With <see cref="TrafficDistribution.PreferClose"/>
/// the candidates are first narrowed to those on the client's node when there is any. Pure: the random source is
/// injected, the load is read, nothing is written.
/// </summary>
public static class EndpointPicker
{
    public static Workload Pick(IReadOnlyList<Workload> candidates, Random random, IEndpointLoad? load,
        Workload? source = null, TrafficDistribution distribution = TrafficDistribution.Any)
    {
        if (candidates.Count == 0)
        {
            throw new ArgumentException("no candidates", nameof(candidates));
        }
        if (distribution == TrafficDistribution.PreferClose && source is not null)
        {
            candidates = Local(candidates, source.Node);
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

    /// <summary>The candidates on <paramref name="node"/>, or all of them when none is there.</summary>
    private static IReadOnlyList<Workload> Local(IReadOnlyList<Workload> candidates, string node)
    {
        List<Workload>? local = null;
        foreach (var c in candidates)
        {
            if (c.Node == node)
            {
                (local ??= []).Add(c);
            }
        }
        return local ?? candidates;
    }
}
