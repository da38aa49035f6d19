using Mesh.ControlPlane.Ca;
using Mesh.Core.Identity;

namespace Mesh.Fuzz.Targets;

/// <summary>
/// The CA's check of a PKCS#10 CSR (DER) from a node (<see cref="CsrCheck.Validate"/>): ASN.1, signature, key,
/// SAN extension. Every outcome must be a <see cref="CsrCheck"/> value; an accepted CSR must name the identity asked for.
/// </summary>
internal sealed class CsrTarget : IFuzzTarget
{
    private static readonly SpiffeId Requested = new("cluster.local", "default", "fuzz");

    public string Name => "csr";

    public void Run(byte[] input)
    {
        var check = CsrCheck.Validate(input, Requested, "cluster.local");
        if (check.Ok && check.PublicKey is null)
        {
            throw new FuzzFinding("an accepted CSR without a public key");
        }
    }
}
