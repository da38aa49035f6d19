using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;

namespace Mesh.Core.Identity;

/// <summary>A fresh ECDSA P-256 key and a PKCS#10 request whose only extension is the SPIFFE URI SAN.</summary>
public static class CsrBuilder
{
    public static (ECDsa Key, byte[] CsrDer) Create(SpiffeId identity)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            // The subject carries nothing: the identity is the URI SAN alone (the CA sets usages and lifetime).
            var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(new Uri(identity.ToString()));
            request.CertificateExtensions.Add(san.Build(critical: true));
            return (key, request.CreateSigningRequest());
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
