using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;
using Mesh.Core.Text;

namespace Mesh.ControlPlane.Ca;

/// <summary>The outcome of checking a CSR: its public key when acceptable, else a refusal and a message.</summary>
public sealed record CsrCheck(CaRefusal Refusal, string Message, PublicKey? PublicKey)
{
    public bool Ok => Refusal == CaRefusal.None;

    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>
    /// Pure check of a PKCS#10 CSR (DER): its self-signature verifies, its key is ECDSA P-256/P-384 or RSA
    /// &gt;= 2048, it carries exactly one URI SAN, and that SAN is <paramref name="requested"/> in
    /// <paramref name="trustDomain"/>. Nothing else of the CSR is copied into the certificate.
    /// </summary>
    public static CsrCheck Validate(byte[] csrDer, SpiffeId requested, string trustDomain)
    {
        if (requested.TrustDomain != trustDomain)
        {
            return new(CaRefusal.ForeignTrustDomain, $"identity {requested} is not in trust domain '{trustDomain}'", null);
        }
        CertificateRequest request;
        try
        {
            // Extensions are loaded only to read the SAN; the certificate is built from scratch, nothing is copied.
            request = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException)
        {
            // NotSupportedException: a signature algorithm .NET does not know, or (PlatformNotSupportedException) an EC
            // key on a curve OpenSSL does not know; both found by fuzzing.
            return new(CaRefusal.MalformedCsr, $"the CSR is not a valid PKCS#10 request with a valid signature: {UntrustedText.Bound(e.Message)}", null);
        }
        var keyProblem = KeyProblem(request.PublicKey);
        if (keyProblem is not null)
        {
            return new(CaRefusal.MalformedCsr, keyProblem, null);
        }
        var uris = new List<string>();
        foreach (var ext in request.CertificateExtensions)
        {
            if (ext.Oid?.Value == SubjectAltNameOid)
            {
                try
                {
                    uris.AddRange(SpiffeCertificate.UriSans(ext.RawData));
                }
                catch (System.Formats.Asn1.AsnContentException e)
                {
                    return new(CaRefusal.MalformedCsr, $"the CSR's subjectAltName does not parse: {UntrustedText.Bound(e.Message)}", null);
                }
            }
        }
        if (uris.Count > 1)
        {
            return new(CaRefusal.MultipleIdentities, $"the CSR names {uris.Count} identities ({UntrustedText.Bound(string.Join(", ", uris))}); ask for one identity per CSR", null);
        }
        if (uris.Count == 0)
        {
            return new(CaRefusal.IdentityMismatch, $"the CSR has no URI SAN; put {requested} in its subjectAltName", null);
        }
        if (!SpiffeId.TryParse(uris[0], out var inCsr) || inCsr != requested)
        {
            return new(CaRefusal.IdentityMismatch, $"the CSR names '{UntrustedText.Bound(uris[0])}' but the request asks for {requested}", null);
        }
        return new(CaRefusal.None, "", request.PublicKey);
    }

    private static string? KeyProblem(PublicKey key)
    {
        using var ec = key.GetECDsaPublicKey();
        if (ec is not null)
        {
            return ec.KeySize is 256 or 384 ? null : $"ECDSA key of {ec.KeySize} bits is not supported (use P-256 or P-384)";
        }
        using var rsa = key.GetRSAPublicKey();
        if (rsa is not null)
        {
            return rsa.KeySize >= 2048 ? null : $"RSA key of {rsa.KeySize} bits is too small (use >= 2048)";
        }
        return "the CSR's key is neither ECDSA nor RSA";
    }
}
