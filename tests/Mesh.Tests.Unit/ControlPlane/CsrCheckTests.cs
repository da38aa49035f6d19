using Mesh.ControlPlane.Ca;
using Mesh.Core.Identity;
using Mesh.Tests.Common.ControlPlane;

namespace Mesh.Tests.Unit.ControlPlane;

/// <summary>Inputs found by the csr fuzz target (tests/Mesh.Fuzz) that once escaped <see cref="CsrCheck.Validate"/>.</summary>
public sealed class CsrCheckTests
{
    private const string Identity = "spiffe://cluster.local/ns/default/sa/fuzz";

    [Fact]
    public void Validate_EcKeyOnUnknownCurve_RefusesAsMalformed()
    {
        var (key, der) = CsrFactory.Create(Identity);
        using var _ = key;
        // The key's curve OID 1.2.840.10045.3.1.7 (P-256) turned into 1.2.840.9984.3.1.7: OpenSSL has no such curve
        // and .NET throws PlatformNotSupportedException while checking the signature.
        byte[] p256 = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        var at = der.AsSpan().IndexOf(p256);
        Assert.True(at > 0);
        der[at + 4] = 0x00;

        var check = CsrCheck.Validate(der, SpiffeId.Parse(Identity), "cluster.local");

        Assert.Equal(CaRefusal.MalformedCsr, check.Refusal);
        Assert.Contains("not a valid PKCS#10 request", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownSignatureAlgorithm_RefusesAsMalformed()
    {
        var (key, der) = CsrFactory.Create(Identity);
        using var _ = key;
        // ecdsa-with-SHA256 (1.2.840.10045.4.3.2) turned into 1.2.840.10012.4.3.2: .NET throws NotSupportedException.
        byte[] ecdsaSha256 = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
        var at = der.AsSpan().LastIndexOf(ecdsaSha256);
        Assert.True(at > 0);
        der[at + 4] = 0x1c;

        var check = CsrCheck.Validate(der, SpiffeId.Parse(Identity), "cluster.local");

        Assert.Equal(CaRefusal.MalformedCsr, check.Refusal);
    }

    [Fact]
    public void Validate_WellFormedCsr_Accepts()
    {
        var (key, der) = CsrFactory.Create(Identity);
        using var _ = key;

        var check = CsrCheck.Validate(der, SpiffeId.Parse(Identity), "cluster.local");

        Assert.True(check.Ok, check.Message);
    }
}
