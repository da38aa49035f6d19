namespace Mesh.ControlPlane.Ca;

/// <summary>Where a root rotation is (<see cref="RootRotation"/>); read back from the CA's files after a restart.</summary>
public enum RotationPhase
{
    /// <summary>One root: it signs and is the whole trust bundle.</summary>
    Steady,
    /// <summary>A new root is in the bundle next to the old one; the old one still signs (proxies learn the new anchor first).</summary>
    Published,
    /// <summary>The new root signs; the old one stays in the bundle until no live certificate chains to it.</summary>
    Issuing,
}
