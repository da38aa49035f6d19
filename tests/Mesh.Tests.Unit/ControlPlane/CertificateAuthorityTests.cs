using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.ControlPlane.Ca;
using Mesh.ControlPlane.Metrics;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Identity;
using Mesh.Tests.Common.ControlPlane;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Unit.ControlPlane;

public sealed class CertificateAuthorityTests : IDisposable
{
    private const string Client = "spiffe://cluster.local/ns/demo/sa/client";
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-ca-").FullName;
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly ControlPlaneMetrics _metrics = new();
    private readonly CaOptions _options;
    private readonly CertificateAuthority _ca;

    public CertificateAuthorityTests()
    {
        _options = new CaOptions { StateDirectory = _dir };
        var tokens = Path.Combine(_dir, "tokens.json");
        File.WriteAllText(tokens, """{"node1": "token-1", "node2": "token-2"}""");
        var hub = new MeshStateHub();
        var state = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: v1
            kind: Pod
            metadata: { name: client, namespace: demo }
            spec: { nodeName: node1, serviceAccountName: client }
            status: { podIP: 198.18.1.2 }
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: server, namespace: demo }
            spec: { nodeName: node2, serviceAccountName: server }
            status: { podIP: 198.18.2.2 }
            """)).State;
        hub.Publish(new RegistrySnapshot(1, state, [], [], _time.GetUtcNow()));
        _ca = new CertificateAuthority(new CaStore(_options, _time), _options, new NodeTokenAuthenticator(tokens), hub, _metrics, _time,
            NullLogger<CertificateAuthority>.Instance);
    }

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
    }

    private static CaSignRequest Request(string identity, byte[] der) => new(identity, PemEncoding.WriteString("CERTIFICATE REQUEST", der));

    private static bool Validates(X509Certificate2 leaf, IEnumerable<X509Certificate2> bundle) =>
        TrustBundleFile.Validate(leaf, new X509Certificate2Collection(bundle.ToArray()), null, null, out _);

    [Fact]
    public async Task SignAsync_PodOnCallersNode_IssuesLeafThatChainsToBundle()
    {
        var (key, der) = CsrFactory.Create(Client);
        using var _ = key;

        var outcome = await _ca.SignAsync("token-1", Request(Client, der), CancellationToken.None);

        Assert.NotNull(outcome.Response);
        var issued = CaClient.ToIssued(outcome.Response!, SpiffeId.Parse(Client));
        Assert.Equal(Client, SpiffeCertificate.Identity(issued.Leaf)?.ToString());
        Assert.True(Validates(issued.Leaf, issued.TrustBundle));
        Assert.InRange((issued.Leaf.NotAfter - issued.Leaf.NotBefore).TotalMinutes, 24 * 60 + 4, 24 * 60 + 6);
        Assert.Equal(File.ReadAllText(_options.TrustBundleFile).Trim(), issued.TrustBundle.Single().ExportCertificatePem().Trim());
    }

    [Fact]
    public async Task SignAsync_IdentityWithNoPodOnCallersNode_RefusedNotOnNode()
    {
        var (key, der) = CsrFactory.Create("spiffe://cluster.local/ns/demo/sa/server");
        using var _ = key;

        var outcome = await _ca.SignAsync("token-1", Request("spiffe://cluster.local/ns/demo/sa/server", der), CancellationToken.None);

        Assert.Equal(CaRefusal.NotOnNode, outcome.Refusal);
        Assert.Contains("node 'node1' runs no pod with identity spiffe://cluster.local/ns/demo/sa/server", outcome.Message);
    }

    [Fact]
    public async Task SignAsync_MalformedCsr_Refused()
    {
        var (key, der) = CsrFactory.Create(Client);
        using var _ = key;
        der[^5] ^= 0xFF; // break the self-signature

        var broken = await _ca.SignAsync("token-1", Request(Client, der), CancellationToken.None);
        var garbage = await _ca.SignAsync("token-1", new CaSignRequest(Client, "not a csr!"), CancellationToken.None);

        Assert.Equal(CaRefusal.MalformedCsr, broken.Refusal);
        Assert.Contains("not a valid PKCS#10", broken.Message);
        Assert.Equal(CaRefusal.MalformedCsr, garbage.Refusal);
    }

    [Fact]
    public async Task SignAsync_CsrWithTwoIdentities_Refused()
    {
        var (key, der) = CsrFactory.Create(Client, "spiffe://cluster.local/ns/demo/sa/server");
        using var _ = key;

        var outcome = await _ca.SignAsync("token-1", Request(Client, der), CancellationToken.None);

        Assert.Equal(CaRefusal.MultipleIdentities, outcome.Refusal);
        Assert.Contains("names 2 identities", outcome.Message);
    }

    [Fact]
    public async Task SignAsync_CsrForOtherIdentityThanAsked_Refused()
    {
        var (key, der) = CsrFactory.Create("spiffe://cluster.local/ns/demo/sa/server");
        using var _ = key;

        var outcome = await _ca.SignAsync("token-1", Request(Client, der), CancellationToken.None);

        Assert.Equal(CaRefusal.IdentityMismatch, outcome.Refusal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("token-3")]
    public async Task SignAsync_UnauthenticatedCaller_Refused(string? token)
    {
        var (key, der) = CsrFactory.Create(Client);
        using var _ = key;

        var outcome = await _ca.SignAsync(token, Request(Client, der), CancellationToken.None);

        Assert.Equal(CaRefusal.Unauthenticated, outcome.Refusal);
        Assert.Equal(401, outcome.Refusal.HttpStatus());
    }

    [Fact]
    public async Task SignAsync_HugeIdentityWithNewlines_RefusedWithBoundedMessage()
    {
        var identity = "spiffe://cluster.local/ns/demo/sa/" + new string('A', 1_000_000) + "\nforged";

        var outcome = await _ca.SignAsync("token-1", new CaSignRequest(identity, "x"), CancellationToken.None);

        Assert.Equal(CaRefusal.IdentityMismatch, outcome.Refusal);
        Assert.InRange(outcome.Message.Length, 1, 512);
        Assert.Contains("...[+", outcome.Message);
        Assert.DoesNotContain('\n', outcome.Message);
    }

    [Fact]
    public async Task AuthenticateAsync_GarbageToken_FailsAndIsCounted()
    {
        var auth = await _ca.AuthenticateAsync(new string('g', 100_000), CancellationToken.None);

        Assert.False(auth.Ok);
        Assert.Equal(CaRefusal.TooLarge, _ca.Refuse("node1", null, CaRefusal.TooLarge, "too big").Refusal);
        Assert.Equal(413, CaRefusal.TooLarge.HttpStatus());
        Assert.Equal("too-large", CaRefusal.TooLarge.Code());
    }

    [Fact]
    public async Task RotateRoot_DuringOverlap_OldAndNewCertificatesBothValidate()
    {
        var (key, der) = CsrFactory.Create(Client);
        using var _ = key;
        var before = CaClient.ToIssued((await _ca.SignAsync("token-1", Request(Client, der), CancellationToken.None)).Response!, SpiffeId.Parse(Client));

        CaStore.RotateRoot(_options, _time);
        _time.Advance(TimeSpan.FromSeconds(2)); // past the store's reload check interval
        var after = CaClient.ToIssued((await _ca.SignAsync("token-1", Request(Client, der), CancellationToken.None)).Response!, SpiffeId.Parse(Client));

        Assert.Equal(2, after.TrustBundle.Length);
        Assert.NotEqual(before.Leaf.Issuer, after.Leaf.Issuer);
        Assert.True(Validates(before.Leaf, after.TrustBundle));
        Assert.True(Validates(after.Leaf, after.TrustBundle));
        var onDisk = new X509Certificate2Collection();
        onDisk.ImportFromPemFile(_options.TrustBundleFile);
        Assert.Equal(2, onDisk.Count);
        Assert.Throws<CaException>(() => CaStore.RotateRoot(_options, _time));

        Assert.True(CaStore.FinishRotation(_options));
        _time.Advance(TimeSpan.FromSeconds(2));
        var final = CaClient.ToIssued((await _ca.SignAsync("token-1", Request(Client, der), CancellationToken.None)).Response!, SpiffeId.Parse(Client));
        Assert.Single(final.TrustBundle);
        Assert.False(Validates(before.Leaf, final.TrustBundle));
        Assert.True(Validates(after.Leaf, final.TrustBundle));
    }

    [Fact]
    public async Task CaStore_UserSuppliedIntermediate_SignsLeavesThatChainThroughIt()
    {
        var root = CertificateIssuer.CreateRoot("cluster.local", _time.GetUtcNow(), TimeSpan.FromDays(30));
        using var interKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=Mesh Intermediate", interKey, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        using var inter = req.Create(root, _time.GetUtcNow().AddMinutes(-1), _time.GetUtcNow().AddDays(10), [1, 2, 3]);
        var dir = Path.Combine(_dir, "user");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "ca.pem"), inter.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "ca-key.pem"), interKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(dir, "roots.pem"), root.ExportCertificatePem());
        var options = new CaOptions
        {
            StateDirectory = dir,
            CaCertFile = Path.Combine(dir, "ca.pem"),
            CaKeyFile = Path.Combine(dir, "ca-key.pem"),
            CaBundleFile = Path.Combine(dir, "roots.pem"),
        };

        var material = new CaStore(options, _time).Current;
        var (key, der) = CsrFactory.Create(Client);
        using var _ = key;
        var check = CsrCheck.Validate(der, SpiffeId.Parse(Client), "cluster.local");
        using var leaf = CertificateIssuer.IssueLeaf(material.Signer, check.PublicKey!, SpiffeId.Parse(Client), _time.GetUtcNow(), TimeSpan.FromHours(1));

        Assert.Equal(inter.Thumbprint, Assert.Single(material.ChainFor()).Thumbprint);
        Assert.True(TrustBundleFile.Validate(leaf, new X509Certificate2Collection(material.TrustBundle.ToArray()), material.ChainFor(), SpiffeId.Parse(Client), out var problem), problem);
        Assert.Throws<CaException>(() => new CaStore(options with { CaBundleFile = null }, _time));
        await Task.CompletedTask;
    }
}
