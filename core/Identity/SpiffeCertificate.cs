using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Core.Identity;

/// <summary>Reads the SPIFFE URI SAN of a certificate with System.Formats.Asn1.</summary>
public static class SpiffeCertificate
{
    private const string SubjectAltNameOid = "2.5.29.17";
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>The URI SANs of <paramref name="certificate"/>, in order.</summary>
    public static IReadOnlyList<string> UriSans(X509Certificate2 certificate)
    {
        var ext = certificate.Extensions[SubjectAltNameOid];
        if (ext is null)
        {
            return [];
        }
        return UriSans(ext.RawData);
    }

    /// <summary>The URI SANs of a DER-encoded subjectAltName extension value (from a certificate or a CSR).</summary>
    public static IReadOnlyList<string> UriSans(byte[] subjectAltNameRawData)
    {
        var uris = new List<string>();
        var reader = new AsnReader(subjectAltNameRawData, AsnEncodingRules.DER);
        var seq = reader.ReadSequence();
        while (seq.HasData)
        {
            var tag = seq.PeekTag();
            if (tag.HasSameClassAndValue(UriTag))
            {
                uris.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
            }
            else
            {
                seq.ReadEncodedValue();
            }
        }
        return uris;
    }

    /// <summary>The one SPIFFE identity of the certificate, or null when it has none or more than one.</summary>
    public static SpiffeId? Identity(X509Certificate2 certificate)
    {
        SpiffeId? found = null;
        foreach (var uri in UriSans(certificate))
        {
            if (!uri.StartsWith(SpiffeId.Scheme, StringComparison.Ordinal))
            {
                continue;
            }
            if (found is not null || !SpiffeId.TryParse(uri, out var id))
            {
                return null;
            }
            found = id;
        }
        return found;
    }
}
