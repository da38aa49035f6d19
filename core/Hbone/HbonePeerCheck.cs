namespace Mesh.Core.Hbone;

/// <summary>Outcome of checking a peer certificate (<see cref="HboneTrust"/>).</summary>
public enum HbonePeerCheck
{
    Trusted,
    NoCertificate,
    Expired,
    Untrusted,
    NoIdentity,
    IdentityMismatch,
}
