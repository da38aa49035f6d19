using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Tests.Common.ControlPlane;

/// <summary>Builds PKCS#10 CSRs the way a ztunnel does (ECDSA P-256 key, SPIFFE URI SANs).</summary>
public static class CsrFactory
{
    public static (ECDsa Key, byte[] Der) Create(params string[] uris)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("", key, HashAlgorithmName.SHA256);
        if (uris.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var u in uris)
            {
                san.AddUri(new Uri(u));
            }
            req.CertificateExtensions.Add(san.Build(true));
        }
        return (key, req.CreateSigningRequest());
    }
}
