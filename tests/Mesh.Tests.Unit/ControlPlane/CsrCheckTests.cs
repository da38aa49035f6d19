using Mesh.ControlPlane.Ca;
using Mesh.Core.Identity;
using Mesh.Tests.Common.ControlPlane;

namespace Mesh.Tests.Unit.ControlPlane;

/// <summary>Inputs found by the csr fuzz target (tests/Mesh.Fuzz) that once escaped <see cref="CsrCheck.Validate"/>.</summary>
public sealed class CsrCheckTests
{
    private const string Identity = "spiffe://cluster.local/ns/default/sa/fuzz";

    /// <summary>An OID of a real CSR (hex) and the octet that replaces its fifth octet.</summary>
    [Theory]
    // P-256 (1.2.840.10045.3.1.7) -> 1.2.840.9984.3.1.7: no such curve in OpenSSL, .NET threw PlatformNotSupportedException.
    [InlineData("2a8648ce3d030107", 0x00)]
    // ecdsa-with-SHA256 (1.2.840.10045.4.3.2) -> 1.2.840.10012.4.3.2: unknown to .NET, which threw NotSupportedException.
    [InlineData("2a8648ce3d040302", 0x1c)]
    public void Validate_UnknownAlgorithmOid_RefusesAsMalformed(string oid, byte replacement)
    {
        var (key, der) = CsrFactory.Create(Identity);
        using var _ = key;
        var at = der.AsSpan().LastIndexOf(Convert.FromHexString(oid));
        Assert.True(at > 0);
        der[at + 4] = replacement;

        var check = CsrCheck.Validate(der, SpiffeId.Parse(Identity), "cluster.local");

        Assert.Equal(CaRefusal.MalformedCsr, check.Refusal);
        Assert.Contains("not a valid PKCS#10 request", check.Message, StringComparison.Ordinal);
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
