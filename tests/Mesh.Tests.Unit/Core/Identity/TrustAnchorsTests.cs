using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Core.Identity;

public sealed class TrustAnchorsTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"mesh-anchors-{Guid.NewGuid():n}.pem");
    private readonly TestCa _old = TestCa.Create("Old Root");
    private readonly TestCa _new = TestCa.Create("New Root");

    public TrustAnchorsTests() => File.WriteAllText(_file, _old.Root.ExportCertificatePem());

    public void Dispose()
    {
        File.Delete(_file);
        _old.Dispose();
        _new.Dispose();
    }

    private static TrustBundle Bundle(params X509Certificate2[] roots) =>
        new() { TrustDomain = "cluster.local", Anchors = [.. roots.Select(r => r.ExportCertificatePem())] };

    private static (X509Certificate2, ImmutableArray<X509Certificate2>) Live(X509Certificate2 leaf) => (leaf, []);

    [Fact]
    public void Current_NothingPushed_IsTheBootstrapFile()
    {
        var anchors = new TrustAnchors(new TrustBundleFile(_file));

        Assert.False(anchors.FromControlPlane);
        Assert.Equal(_old.Root.RawData, Assert.Single(anchors.Current).RawData);
    }

    [Fact]
    public void Offer_OldNewThenNew_HeldBundleMovesThroughBoth()
    {
        var anchors = new TrustAnchors(new TrustBundleFile(_file));
        using var oldLeaf = _old.Issue("spiffe://cluster.local/ns/a/sa/b");
        using var newLeaf = _new.Issue("spiffe://cluster.local/ns/a/sa/b");

        Assert.True(anchors.Offer(Bundle(_old.Root, _new.Root), [Live(oldLeaf)], DateTimeOffset.UtcNow));
        Assert.Equal([TrustAnchors.Fingerprint(_old.Root), TrustAnchors.Fingerprint(_new.Root)], anchors.Fingerprints.ToArray());
        Assert.True(anchors.Offer(Bundle(_new.Root), [Live(newLeaf)], DateTimeOffset.UtcNow));

        Assert.True(anchors.FromControlPlane);
        Assert.Equal([TrustAnchors.Fingerprint(_new.Root)], anchors.Fingerprints.ToArray());
    }

    [Fact]
    public void Offer_BundleLeavingALiveCertificateUnverifiable_RefusedAndTheHeldOneStays()
    {
        var anchors = new TrustAnchors(new TrustBundleFile(_file));
        using var oldLeaf = _old.Issue("spiffe://cluster.local/ns/a/sa/b");
        anchors.Offer(Bundle(_old.Root, _new.Root), [Live(oldLeaf)], DateTimeOffset.UtcNow);

        Assert.False(anchors.Offer(Bundle(_new.Root), [Live(oldLeaf)], DateTimeOffset.UtcNow));

        Assert.Equal(2, anchors.Current.Length);
        Assert.Contains("spiffe://cluster.local/ns/a/sa/b", TrustAnchors.Refusal([_new.Root], [Live(oldLeaf)], DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Offer_EmptyOrNotPem_RefusedAndTheBootstrapStays()
    {
        var anchors = new TrustAnchors(new TrustBundleFile(_file));

        Assert.False(anchors.Offer(new TrustBundle { TrustDomain = "cluster.local", Anchors = [] }, [], DateTimeOffset.UtcNow));
        Assert.False(anchors.Offer(new TrustBundle { TrustDomain = "cluster.local", Anchors = ["not a certificate"] }, [], DateTimeOffset.UtcNow));

        Assert.False(anchors.FromControlPlane);
        Assert.Equal(_old.Root.RawData, Assert.Single(anchors.Current).RawData);
    }

    [Fact]
    public void ControlPlaneRoots_BundlePushed_TrustsTheFileAndTheBundle()
    {
        var anchors = new TrustAnchors(new TrustBundleFile(_file));
        anchors.Offer(Bundle(_new.Root), [], DateTimeOffset.UtcNow);

        var roots = anchors.ControlPlaneRoots();

        Assert.Equal([_old.Root.Thumbprint, _new.Root.Thumbprint], roots.Select(r => r.Thumbprint));
    }
}
