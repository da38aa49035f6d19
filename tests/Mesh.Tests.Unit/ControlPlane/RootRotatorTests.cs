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

/// <summary>The rotation on real CA files in a temporary state folder, driven by a manual clock.</summary>
public sealed class RootRotatorTests : IDisposable
{
    private const string Client = "spiffe://cluster.local/ns/demo/sa/client";
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-rot-").FullName;
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly ControlPlaneMetrics _metrics = new();
    private readonly CaOptions _options;
    private readonly CaStore _store;
    private readonly IssuedLedger _ledger = new();
    private readonly CertificateAuthority _ca;

    public RootRotatorTests()
    {
        _options = new CaOptions
        {
            StateDirectory = _dir, RootLifetime = TimeSpan.FromSeconds(90), CertTtl = TimeSpan.FromSeconds(20), RotationOverlap = TimeSpan.FromSeconds(10),
        };
        var tokens = Path.Combine(_dir, "tokens.json");
        File.WriteAllText(tokens, """{"node1": "token-1"}""");
        var hub = new MeshStateHub();
        hub.Publish(new RegistrySnapshot(1, MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: v1
            kind: Pod
            metadata: { name: client, namespace: demo }
            spec: { nodeName: node1, serviceAccountName: client }
            status: { podIP: 198.18.1.2 }
            """)).State, [], [], _time.GetUtcNow()));
        _store = new CaStore(_options, _time);
        _ca = new CertificateAuthority(_store, _options, new NodeTokenAuthenticator(tokens), hub, _metrics, _time, NullLogger<CertificateAuthority>.Instance, _ledger);
    }

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
    }

    private RootRotator Rotator(IssuedLedger? ledger = null) =>
        new(_store, _options, ledger ?? _ledger, _metrics, _time, NullLogger<RootRotator>.Instance);

    private async Task<X509Certificate2> SignAsync()
    {
        var (k, der) = CsrBuilder.Create(SpiffeId.Parse(Client));
        using var _ = k;
        var outcome = await _ca.SignAsync("token-1", new CaSignRequest(Client, PemEncoding.WriteString("CERTIFICATE REQUEST", der)), CancellationToken.None);
        // Not CaClient.ToIssued: it checks the chain at the real time, and this clock runs ahead.
        return X509Certificate2.CreateFromPem(outcome.Response!.Certificate);
    }

    private string[] Bundle() => [.. _store.Current.TrustBundle.Select(TrustAnchors.Fingerprint)];

    [Fact]
    public async Task Tick_ThroughAWholeRotation_BundleGoesOldThenOldNewThenNew()
    {
        var rotator = Rotator();
        rotator.Tick();
        var old = Bundle();
        Assert.Equal(RotationPhase.Steady, rotator.Status!.Phase);

        _time.Advance(TimeSpan.FromSeconds(60)); // past 2/3 of the root's 99 s (9 s backdated)
        rotator.Tick();
        var oldNew = Bundle();
        var fromOld = await SignAsync();
        _time.Advance(TimeSpan.FromSeconds(11));
        rotator.Tick();
        var fromNew = await SignAsync();
        _time.Advance(TimeSpan.FromSeconds(5));
        rotator.Tick();
        var stillBoth = Bundle();
        _time.Advance(TimeSpan.FromSeconds(5)); // the last certificate of the old root has expired
        rotator.Tick();

        Assert.Equal(2, oldNew.Length);
        Assert.Equal(old[0], oldNew[0]);
        Assert.Equal(oldNew, stillBoth);
        Assert.NotEqual(fromOld.Issuer, fromNew.Issuer);
        Assert.Equal(RotationPhase.Steady, rotator.Status!.Phase);
        Assert.Equal([oldNew[1]], Bundle());
        Assert.Equal("signing", Assert.Single(rotator.Status.Anchors).Role);
    }

    [Fact]
    public void Tick_ControlPlaneRestartedWhilePublished_OverlapTimedFromThePublishNotTheRestart()
    {
        var rotator = Rotator();
        rotator.Tick();
        _time.Advance(TimeSpan.FromSeconds(60));
        rotator.Tick();
        var publishedAt = rotator.Status!.Since;
        Assert.Equal(RotationPhase.Published, rotator.Status.Phase);

        // Stopped before any certificate was signed, started again 5 s later: a new process reads the record back.
        _time.Advance(TimeSpan.FromSeconds(5));
        var restarted = Rotator(new IssuedLedger());
        restarted.Tick();
        var resumed = restarted.Status!;
        _time.Advance(TimeSpan.FromSeconds(6)); // 11 s after the publish, past the 10 s overlap
        restarted.Tick();

        Assert.Equal(RotationPhase.Published, resumed.Phase);
        Assert.Equal(publishedAt, resumed.Since);
        Assert.Equal(RotationPhase.Issuing, restarted.Status!.Phase);
    }

    [Fact]
    public async Task Tick_ControlPlaneRestartedWhileIssuing_ResumesThePhaseAndWaitsForTheOldCertificates()
    {
        var rotator = Rotator();
        rotator.Tick();
        _time.Advance(TimeSpan.FromSeconds(60));
        rotator.Tick();
        var lastOld = await SignAsync();
        _time.Advance(TimeSpan.FromSeconds(11));
        rotator.Tick();
        Assert.Equal(RotationPhase.Issuing, rotator.Status!.Phase);

        // A new process: an empty ledger, the record and the files from disk.
        var restarted = Rotator(new IssuedLedger());
        _time.Advance(TimeSpan.FromSeconds(5));
        restarted.Tick();
        Assert.Equal(RotationPhase.Issuing, restarted.Status!.Phase);
        Assert.Equal(new DateTimeOffset(lastOld.NotAfter.ToUniversalTime()), restarted.Status.OldLiveUntil);
        _time.Advance(TimeSpan.FromSeconds(5));
        restarted.Tick();

        Assert.Equal(RotationPhase.Steady, restarted.Status!.Phase);
        Assert.Single(Bundle());
    }

    [Fact]
    public void Tick_ManualRotateRootWhileSteady_TakenAsTheIssuingPhase()
    {
        var rotator = Rotator();
        rotator.Tick();

        CaStore.RotateRoot(_options, _time);
        rotator.Tick();

        Assert.Equal(RotationPhase.Issuing, rotator.Status!.Phase);
        Assert.Equal(2, Bundle().Length);
    }
}
