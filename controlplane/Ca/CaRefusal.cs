namespace Mesh.ControlPlane.Ca;

/// <summary>Why the CA refused to sign. Each maps to an HTTP status and a stable wire code.</summary>
public enum CaRefusal
{
    None,
    /// <summary>The CSR is not a valid PKCS#10 request (bad DER/PEM, bad self-signature, unsupported key).</summary>
    MalformedCsr,
    /// <summary>The CSR names more than one URI SAN.</summary>
    MultipleIdentities,
    /// <summary>The CSR's identity is missing or differs from the identity asked for.</summary>
    IdentityMismatch,
    /// <summary>The identity is not in this mesh's trust domain.</summary>
    ForeignTrustDomain,
    /// <summary>No bearer token, or a token that no node owns.</summary>
    Unauthenticated,
    /// <summary>The caller's node runs no pod with this identity (node authorization).</summary>
    NotOnNode,
    /// <summary>The registry has not produced a first snapshot yet.</summary>
    NotReady,
    /// <summary>The request body is larger than the CA reads (<c>CaWire.MaxSignRequestBytes</c>).</summary>
    TooLarge,
}

public static class CaRefusalExtensions
{
    public static string Code(this CaRefusal r) => r switch
    {
        CaRefusal.MalformedCsr => "malformed-csr",
        CaRefusal.MultipleIdentities => "multiple-identities",
        CaRefusal.IdentityMismatch => "identity-mismatch",
        CaRefusal.ForeignTrustDomain => "foreign-trust-domain",
        CaRefusal.Unauthenticated => "unauthenticated",
        CaRefusal.NotOnNode => "not-on-node",
        CaRefusal.NotReady => "not-ready",
        CaRefusal.TooLarge => "too-large",
        _ => "none",
    };

    public static int HttpStatus(this CaRefusal r) => r switch
    {
        CaRefusal.Unauthenticated => 401,
        CaRefusal.NotOnNode => 403,
        CaRefusal.NotReady => 503,
        CaRefusal.TooLarge => 413,
        _ => 400,
    };
}
