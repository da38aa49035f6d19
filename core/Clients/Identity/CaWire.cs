using System.Text.Json.Serialization;

namespace Mesh.Core.Identity;

/// <summary>
/// The CA's wire contract: <c>POST /mesh.ca.v1/sign</c> over HTTP/2 TLS on the control plane port,
/// <c>Authorization: Bearer &lt;node token&gt;</c>, body <see cref="CaSignRequest"/>; 200 with
/// <see cref="CaSignResponse"/>, or 400/401/403/413/503 with <see cref="CaErrorResponse"/>. The token is checked
/// before the body is read; a body over <see cref="MaxSignRequestBytes"/> is refused (413) unread.
/// </summary>
public static class CaWire
{
    public const string SignPath = "/mesh.ca.v1/sign";

    /// <summary>The largest sign request body the CA reads: a CSR with an RSA-4096 key is ~2 KB of PEM.</summary>
    public const int MaxSignRequestBytes = 64 * 1024;
}

/// <summary>A signing request: the identity asked for and the PKCS#10 CSR in PEM ("CERTIFICATE REQUEST").</summary>
public sealed record CaSignRequest(
    [property: JsonPropertyName("identity")] string Identity,
    [property: JsonPropertyName("csr")] string Csr);

/// <summary>The signed leaf (PEM), the intermediates up to (not including) the root, and the trust bundle (1 or 2 roots).</summary>
public sealed record CaSignResponse(
    [property: JsonPropertyName("certificate")] string Certificate,
    [property: JsonPropertyName("chain")] string[] Chain,
    [property: JsonPropertyName("trustBundle")] string[] TrustBundle);

/// <summary>A refusal: a stable code (malformed-csr, multiple-identities, identity-mismatch, foreign-trust-domain,
/// unauthenticated, not-on-node, not-ready, too-large) and a message that says what to do.</summary>
public sealed record CaErrorResponse(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("message")] string Message);

[JsonSerializable(typeof(CaSignRequest))]
[JsonSerializable(typeof(CaSignResponse))]
[JsonSerializable(typeof(CaErrorResponse))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class CaJsonContext : JsonSerializerContext;
