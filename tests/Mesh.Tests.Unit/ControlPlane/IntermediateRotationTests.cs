using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.ControlPlane.Ca;
using Mesh.ControlPlane.Metrics;
using Mesh.Core.Identity;
using Mesh.Tests.Common.ControlPlane;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Unit.ControlPlane;

/// <summary>
/// The automatic rotation under a user's root (--ca-cert/--ca-key of a root, --intermediate-lifetime): the control plane
/// signs through its own intermediate and replaces it at 2/3 of its life; the bundle stays the user's root. Real files
/// in a temporary state folder, a manual clock.
/// </summary>
public sealed class IntermediateRotationTests : IDisposable
{
    private static readonly SpiffeId Client = SpiffeId.Parse("spiffe://cluster.local/ns/demo/sa/client");
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-inter-").FullName;
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly ControlPlaneMetrics _metrics = new();
    private readonly X509Certificate2 _root;
    private readonly CaOptions _options;

    public IntermediateRotationTests()
    {
        _root = CertificateIssuer.CreateRoot("cluster.local", _time.GetUtcNow(), TimeSpan.FromDays(30));
        var user = Directory.CreateDirectory(Path.Combine(_dir, "user")).FullName;
        File.WriteAllText(Path.Combine(user, "root.pem"), _root.ExportCertificatePem());
        File.WriteAllText(Path.Combine(user, "root-key.pem"), _root.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        _options = new CaOptions
        {
            StateDirectory = Path.Combine(_dir, "state"), CertTtl = TimeSpan.FromSeconds(20), IntermediateLifetime = TimeSpan.FromSeconds(90),
            CaCertFile = Path.Combine(user, "root.pem"), CaKeyFile = Path.Combine(user, "root-key.pem"),
        };
    }

    public void Dispose()
    {
        _root.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private X509Certificate2 Leaf(CaMaterial m)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("", key, HashAlgorithmName.SHA256);
        return CertificateIssuer.IssueLeaf(m.Signer, req.PublicKey, Client, _time.GetUtcNow(), _options.CertTtl);
    }

    private bool Verifies(X509Certificate2 leaf, X509Certificate2 intermediate, CaMaterial bundleOf)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.CustomTrustStore.AddRange(bundleOf.TrustBundle.ToArray());
        chain.ChainPolicy.ExtraStore.Add(intermediate);
        return chain.Build(leaf);
    }

    [Fact]
    public void Tick_IntermediateAtTwoThirdsOfItsLife_NewOneSignsBundleStaysTheRootOldLeavesStillVerify()
    {
        var store = new CaStore(_options, _time);
        var rotator = new RootRotator(store, _options, new IssuedLedger(), _metrics, _time, NullLogger<RootRotator>.Instance);
        rotator.Tick();
        var first = store.Current;
        var due = rotator.Status!.NextRotationAt;

        _time.Advance(TimeSpan.FromSeconds(55)); // 64 s of 99 (9 s backdated): not yet due
        rotator.Tick();
        var before = store.Current.Signer.Thumbprint;
        using var oldLeaf = Leaf(store.Current);
        _time.Advance(TimeSpan.FromSeconds(6)); // past 2/3
        rotator.Tick();
        var second = store.Current;

        Assert.False(CertificateIssuer.IsSelfSigned(first.Signer));
        Assert.Equal(_root.Subject, first.Signer.Issuer);
        Assert.Equal(first.Signer.Thumbprint, Assert.Single(first.ChainFor()).Thumbprint);
        Assert.Equal(first.Signer.Thumbprint, before);
        Assert.NotNull(due);
        Assert.NotEqual(first.Signer.Thumbprint, second.Signer.Thumbprint);
        Assert.Equal(_root.Subject, second.Signer.Issuer);
        Assert.Equal(_root.Thumbprint, Assert.Single(second.TrustBundle).Thumbprint);
        Assert.True(rotator.Status!.Automatic);
        Assert.True(rotator.Status.NextRotationAt > due);
        using var newLeaf = Leaf(second);
        Assert.True(Verifies(newLeaf, second.Signer, second));
        Assert.True(Verifies(oldLeaf, first.Signer, second)); // issued before the switch, still good under the same bundle
    }

    [Fact]
    public void Construct_RestartedBeforeDue_KeepsTheIntermediateOnDisk()
    {
        var first = new CaStore(_options, _time).Current.Signer.Thumbprint;
        _time.Advance(TimeSpan.FromSeconds(10));

        var restarted = new CaStore(_options, _time).Current.Signer.Thumbprint;

        Assert.Equal(first, restarted);
    }

    [Fact]
    public void Construct_UserIntermediateNotARoot_SignsItselfWithNoIntermediateOfItsOwn()
    {
        var store = new CaStore(_options with { IntermediateLifetime = null }, _time);

        Assert.Equal(_root.Thumbprint, store.Current.Signer.Thumbprint);
        Assert.False(store.OwnIntermediate);
        Assert.False(File.Exists(Path.Combine(_options.CaDirectory, CaStore.IntermediateCert)));
    }
}
