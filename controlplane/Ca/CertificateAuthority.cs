using System.Security.Cryptography.X509Certificates;
using Mesh.ControlPlane.Metrics;
using Mesh.ControlPlane.Registry;
using Mesh.Core.Identity;
using Mesh.Core.Text;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// Signs workload CSRs: authenticates the caller as node N's ztunnel, checks the CSR, authorizes the
/// identity against the pods on N in the current registry snapshot, then issues a leaf for the CSR's key.
/// Also issues the control plane's own serving certificate.
/// </summary>
public sealed partial class CertificateAuthority(CaStore store, CaOptions options, INodeAuthenticator authenticator,
    MeshStateHub hub, ControlPlaneMetrics metrics, TimeProvider time, ILogger<CertificateAuthority> log, IssuedLedger? ledger = null)
{
    public CaStore Store => store;

    /// <summary>Authenticate, then sign: for callers that hold the whole request (the endpoint authenticates first, on
    /// the headers alone, then reads the body).</summary>
    public async ValueTask<SignOutcome> SignAsync(string? bearerToken, CaSignRequest request, CancellationToken cancellationToken)
    {
        var auth = await AuthenticateAsync(bearerToken, cancellationToken);
        return auth.Ok ? Sign(auth, request) : SignOutcome.Refused(CaRefusal.Unauthenticated, auth.Error!);
    }

    /// <summary>Who is calling, from the bearer token alone (before any body is read); a failure is counted and logged.</summary>
    public async ValueTask<NodeAuthentication> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken)
    {
        var auth = await authenticator.AuthenticateAsync(bearerToken, cancellationToken);
        if (!auth.Ok)
        {
            Record(null, null, SignOutcome.Refused(CaRefusal.Unauthenticated, auth.Error!));
        }
        return auth;
    }

    /// <summary>Signs for an authenticated <paramref name="caller"/>; a refusal is counted and logged.</summary>
    public SignOutcome Sign(NodeAuthentication caller, CaSignRequest request) => Record(caller.Node ?? caller.OwnIdentity?.ToString(), request.Identity, SignFor(caller, request));

    /// <summary>A refusal decided before the request could be read (too large, not JSON): counted and logged like the others.</summary>
    public SignOutcome Refuse(string? node, string? identity, CaRefusal refusal, string message) =>
        Record(node, identity, SignOutcome.Refused(refusal, message));

    /// <summary>One metric and one log line per request; every attacker-controlled string in them is bounded.</summary>
    private SignOutcome Record(string? node, string? identity, SignOutcome outcome)
    {
        var who = node is null ? "(unauthenticated)" : UntrustedText.Bound(node);
        if (outcome.Response is null)
        {
            metrics.RecordCertificateRefused(outcome.Refusal.Code());
            Log.Refused(log, who, UntrustedText.Bound(identity ?? "-"), outcome.Refusal.Code(), UntrustedText.Bound(outcome.Message, MaxMessage));
        }
        else
        {
            metrics.RecordCertificateSigned();
            Log.Signed(log, who, UntrustedText.Bound(identity));
        }
        return outcome;
    }

    /// <summary>The longest refusal message (already built from bounded parts; this bounds their sum).</summary>
    public const int MaxMessage = 1024;

    private SignOutcome SignFor(NodeAuthentication caller, CaSignRequest request)
    {
        if (request.Identity.Length > UntrustedText.DefaultMax || !SpiffeId.TryParse(request.Identity, out var identity))
        {
            return SignOutcome.Refused(CaRefusal.IdentityMismatch,
                $"'{UntrustedText.Bound(request.Identity)}' is not a mesh identity; expected spiffe://<trust-domain>/ns/<namespace>/sa/<serviceaccount>");
        }
        byte[] der;
        try
        {
            der = request.Csr.Contains("-----BEGIN", StringComparison.Ordinal)
                ? FromPem(request.Csr)
                : Convert.FromBase64String(request.Csr);
        }
        catch (FormatException e)
        {
            return SignOutcome.Refused(CaRefusal.MalformedCsr, $"the CSR is neither PEM nor base64 DER: {UntrustedText.Bound(e.Message)}");
        }
        var check = CsrCheck.Validate(der, identity, options.TrustDomain);
        if (!check.Ok)
        {
            return SignOutcome.Refused(check.Refusal, check.Message);
        }
        if (hub.Current is not { } snapshot)
        {
            return SignOutcome.Refused(CaRefusal.NotReady, "the control plane has not read its registry yet; retry shortly");
        }
        if (!NodeAuthorizer.Authorize(snapshot.State, caller, identity))
        {
            return SignOutcome.Refused(CaRefusal.NotOnNode, caller.OwnIdentity is { } own
                ? $"the caller is {own} and may only obtain its own identity, not {identity}"
                : $"node '{UntrustedText.Bound(caller.Node ?? "")}' runs no pod with identity {identity}; a node may only obtain certificates for the service accounts of its own pods");
        }
        var material = store.Current;
        using var leaf = CertificateIssuer.IssueLeaf(material.Signer, check.PublicKey!, identity, time.GetUtcNow(), options.CertTtl);
        ledger?.Record(material.Root.Thumbprint, new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
        return new SignOutcome(new CaSignResponse(
            leaf.ExportCertificatePem(),
            [.. material.ChainFor().Select(c => c.ExportCertificatePem())],
            [.. material.TrustBundle.Select(c => c.ExportCertificatePem())]), CaRefusal.None, "");
    }

    private static byte[] FromPem(string pem)
    {
        if (!System.Security.Cryptography.PemEncoding.TryFind(pem, out var fields) ||
            pem[fields.Label].ToString() is not "CERTIFICATE REQUEST" and not "NEW CERTIFICATE REQUEST")
        {
            throw new FormatException("no 'CERTIFICATE REQUEST' PEM block");
        }
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    /// <summary>The control plane's own serving certificate (with key) for <paramref name="identity"/>.</summary>
    public X509Certificate2 IssueServing(SpiffeId identity, IEnumerable<string> dnsNames)
    {
        var material = store.Current;
        var leaf = CertificateIssuer.IssueWithNewKey(material.Signer, identity, time.GetUtcNow(), options.CertTtl, dnsNames);
        ledger?.Record(material.Root.Thumbprint, new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
        return leaf;
    }

    private static partial class Log
    {
        [LoggerMessage(4260, LogLevel.Information, "ca: signed {Identity} for node {Node}")]
        public static partial void Signed(ILogger logger, string node, string identity);

        [LoggerMessage(4261, LogLevel.Warning, "ca: refused {Identity} for node {Node}: {Code}: {Message}")]
        public static partial void Refused(ILogger logger, string node, string identity, string code, string message);
    }
}
