namespace Mesh.ControlPlane.Ca;

/// <summary>What to do with a user-supplied CA seen again (<see cref="CaReload.Decide"/>).</summary>
public abstract record CaReloadDecision
{
    /// <summary>The same contents as the material in use, or as the last one refused: nothing new to do or say.</summary>
    public sealed record Unchanged : CaReloadDecision;

    /// <summary>Sign with it from now on.</summary>
    public sealed record Accept(CaMaterial Material) : CaReloadDecision;

    /// <summary>Keep the material in use; log <see cref="Reason"/> once.</summary>
    public sealed record Refuse(string Reason) : CaReloadDecision;
}

/// <summary>
/// The reload decision for a user-supplied CA (pure): a replacement must be a valid CA now (<see cref="UserCaCheck"/>) and
/// its roots must still hold every root a live workload certificate chains to (the user's root stays in the bundle;
/// dropping it would leave those certificates unverifiable).
/// </summary>
public static class CaReload
{
    /// <param name="candidate">What the files or the Secret hold now.</param>
    /// <param name="inUse">The SHA-256 of the contents the current material came from.</param>
    /// <param name="refused">The SHA-256 of the last contents refused (null if none).</param>
    /// <param name="liveRoots">SHA-1 thumbprints of the roots live workload certificates chain to (the signing root at least).</param>
    public static CaReloadDecision Decide(UserCaPem candidate, string inUse, string? refused, IReadOnlySet<string> liveRoots, DateTimeOffset now)
    {
        if (candidate.Sha256 == inUse || candidate.Sha256 == refused)
        {
            return new CaReloadDecision.Unchanged();
        }
        CaMaterial material;
        try
        {
            material = UserCaCheck.Parse(candidate, now);
        }
        catch (CaException e)
        {
            return new CaReloadDecision.Refuse(e.Message);
        }
        var kept = material.TrustBundle.Select(r => r.Thumbprint).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var dropped = liveRoots.Where(r => !kept.Contains(r)).ToList();
        return dropped.Count == 0
            ? new CaReloadDecision.Accept(material)
            : new CaReloadDecision.Refuse($"{candidate.Origin}: its roots leave out {string.Join(", ", dropped)}, which live workload certificates chain to; " +
                "keep the old root in the bundle (--ca-bundle or ca.crt) next to the new one until one certificate lifetime after the switch");
    }
}
