using System.Formats.Asn1;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Identity;
using Mesh.Tests.Common;
using Mesh.Ztunnel.Identity;

namespace Mesh.Tests.Unit.Ztunnel.Identity;

public sealed class IdentityManagerTests : IAsyncDisposable
{
    private static readonly SpiffeId Client = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");
    private static readonly SpiffeId Server = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/server");
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly ManualTimeProvider _time = new();
    private readonly TestCertificateAuthority _ca;
    private readonly IdentityManager _manager;

    public IdentityManagerTests()
    {
        _ca = new TestCertificateAuthority(_time, Lifetime);
        _manager = new IdentityManager(_ca, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _manager.DisposeAsync();
        _ca.Dispose();
    }

    /// <summary>Waits for background work the test started (bounded, so a bug fails instead of hanging).</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), "condition not reached");
    }

    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task GetAsync_FirstUse_CertificateWithKeyChainAndBundle()
    {
        var cert = await _manager.GetAsync(Client, Bounded());

        Assert.Equal(1, _ca.Requests);
        Assert.Equal(Client, cert.Identity);
        Assert.Equal(Client, SpiffeCertificate.Identity(cert.Certificate));
        Assert.True(cert.Certificate.HasPrivateKey);
        using var key = cert.Certificate.GetECDsaPrivateKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.Equal(_ca.Intermediate.Thumbprint, Assert.Single(cert.Chain).Thumbprint);
        Assert.Equal(_ca.Root.Thumbprint, Assert.Single(cert.TrustBundle).Thumbprint);

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(cert.TrustBundle.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(cert.Chain.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        Assert.True(chain.Build(cert.Certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    public async Task GetAsync_CsrCarriesOnlyTheSpiffeUriSanAndAP256Key()
    {
        var recorder = new RecordingCa(_ca);
        await using var manager = new IdentityManager(recorder, _time);

        await manager.GetAsync(Server, Bounded());

        var csr = CertificateRequest.LoadSigningRequest(Assert.Single(recorder.Csrs), HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var ext = Assert.Single(csr.CertificateExtensions);
        Assert.Equal("2.5.29.17", ext.Oid!.Value);
        var names = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        Assert.Equal("spiffe://cluster.local/ns/app/sa/server", names.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
        Assert.False(names.HasData);
        Assert.Equal("1.2.840.10045.2.1", csr.PublicKey.Oid.Value);
        Assert.Equal(string.Empty, csr.SubjectName.Name);
    }

    [Fact]
    public async Task GetAsync_Twice_SecondComesFromCache()
    {
        var first = await _manager.GetAsync(Client, Bounded());
        var second = await _manager.GetAsync(Client, Bounded());

        Assert.Same(first, second);
        Assert.Equal(1, _ca.Requests);
    }

    [Fact]
    public async Task GetAsync_ConcurrentCallers_ShareOneSigningRequest()
    {
        var release = new TaskCompletionSource();
        _ca.Hold = release.Task;

        var callers = Enumerable.Range(0, 20).Select(_ => _manager.GetAsync(Client, Bounded()).AsTask()).ToList();
        await WaitUntil(() => _ca.Requests == 1);
        release.SetResult();
        var results = await Task.WhenAll(callers);

        Assert.Equal(1, _ca.Requests);
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public async Task GetAsync_DifferentIdentities_DifferentCertificates()
    {
        var a = await _manager.GetAsync(Client, Bounded());
        var b = await _manager.GetAsync(Server, Bounded());

        Assert.Equal(2, _ca.Requests);
        Assert.NotEqual(a.Certificate.Thumbprint, b.Certificate.Thumbprint);
        Assert.Equal(Server, SpiffeCertificate.Identity(b.Certificate));
    }

    [Fact]
    public async Task Renewal_AtHalfLife_NewCertificateForNewCallersOldOneStillUsable()
    {
        var old = await _manager.GetAsync(Client, Bounded());
        Assert.Equal(old.NotBefore + (old.NotAfter - old.NotBefore) / 2, old.RefreshAt);

        _time.Advance(old.RefreshAt - _time.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Equal(1, _ca.Requests);

        _time.Advance(TimeSpan.FromSeconds(2));
        await WaitUntil(() => _manager.TryGetCurrent(Client, out var c) && !ReferenceEquals(c, old));

        var renewed = await _manager.GetAsync(Client, Bounded());
        Assert.Equal(2, _ca.Requests);
        Assert.NotEqual(old.Certificate.SerialNumber, renewed.Certificate.SerialNumber);
        Assert.True(renewed.NotAfter > old.NotAfter);
        // The connection holding the old certificate keeps a working key.
        using var oldKey = old.Certificate.GetECDsaPrivateKey()!;
        Assert.NotEmpty(oldKey.SignData([1, 2, 3], HashAlgorithmName.SHA256));
        Assert.True(old.IsValidAt(_time.GetUtcNow()));
    }

    [Fact]
    public async Task Renewal_RepeatsEveryHalfLife()
    {
        await _manager.GetAsync(Client, Bounded());

        for (var i = 2; i <= 4; i++)
        {
            // The renewal timer is armed after the certificate is stored: advancing before it exists would leave its
            // due time a half-life after the advanced clock (the failure seen under load).
            await WaitUntil(() => _time.PendingTimers == 1);
            _time.Advance(Lifetime / 2 + TimeSpan.FromMinutes(1));
            var expected = i;
            await WaitUntil(() => _ca.Requests == expected && _manager.TryGetCurrent(Client, out var c)
                && c.NotBefore > _time.GetUtcNow() - TimeSpan.FromMinutes(5));
        }
    }

    [Fact]
    public async Task Renewal_Failing_KeepsServingTheValidCertificateAndRetries()
    {
        var old = await _manager.GetAsync(Client, Bounded());
        _ca.FailNext(1);

        _time.Advance(old.RefreshAt - _time.GetUtcNow() + TimeSpan.FromSeconds(1));
        await WaitUntil(() => _ca.Requests == 2 && _time.PendingTimers == 1);

        Assert.Same(old, await _manager.GetAsync(Client, Bounded()));
        _time.Advance(TimeSpan.FromMilliseconds(600));
        await WaitUntil(() => _manager.TryGetCurrent(Client, out var c) && !ReferenceEquals(c, old));
        Assert.Equal(3, _ca.Requests);
    }

    [Fact]
    public async Task GetAsync_CaFailing_RetriesWithExponentialBackoff()
    {
        _ca.FailNext(3);
        var pending = _manager.GetAsync(Client, Bounded()).AsTask();
        await WaitUntil(() => _ca.Requests == 1 && _time.PendingTimers == 1);

        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(1, _ca.Requests);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntil(() => _ca.Requests == 2 && _time.PendingTimers == 1);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(2, _ca.Requests);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntil(() => _ca.Requests == 3 && _time.PendingTimers == 1);

        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(2));
        var cert = await pending;
        Assert.Equal(4, _ca.Requests);
        Assert.Equal(Client, cert.Identity);
    }

    [Fact]
    public async Task GetAsync_CaDownAndCallerGivesUp_Cancelled()
    {
        _ca.FailNext(int.MaxValue);
        using var giveUp = new CancellationTokenSource();

        var pending = _manager.GetAsync(Client, giveUp.Token).AsTask();
        await WaitUntil(() => _ca.Requests == 1);
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task GetAsync_CaReturnsAnotherIdentity_RejectedAndRetried()
    {
        var other = await _ca.SignAsync(Server, OtherCsr(Server), Bounded());
        var lying = new LyingCa(_ca, other);
        await using var manager = new IdentityManager(lying, _time);

        var pending = manager.GetAsync(Client, Bounded()).AsTask();
        await WaitUntil(() => lying.Calls == 1 && _time.PendingTimers == 1);
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        var cert = await pending;

        Assert.Equal(Client, SpiffeCertificate.Identity(cert.Certificate));
        Assert.Equal(2, lying.Calls);
    }

    [Fact]
    public async Task SetLocalIdentities_FetchesAheadOfUse()
    {
        _manager.SetLocalIdentities([Client, Server]);

        await WaitUntil(() => _manager.TryGetCurrent(Client, out _) && _manager.TryGetCurrent(Server, out _));
        Assert.Equal(2, _ca.Requests);
        await _manager.GetAsync(Server, Bounded());
        Assert.Equal(2, _ca.Requests);
    }

    [Fact]
    public async Task SetLocalIdentities_DroppedIdentity_ForgottenAndNoLongerRenewed()
    {
        _manager.SetLocalIdentities([Client, Server]);
        await WaitUntil(() => _manager.TryGetCurrent(Client, out _) && _manager.TryGetCurrent(Server, out _));

        _manager.SetLocalIdentities([Server]);
        Assert.DoesNotContain(Client, _manager.Identities);
        Assert.False(_manager.TryGetCurrent(Client, out _));

        _time.Advance(Lifetime / 2 + TimeSpan.FromMinutes(1));
        await WaitUntil(() => _ca.Requests == 3);
        await WaitUntil(() => _manager.TryGetCurrent(Server, out var c) && c.NotBefore > _time.GetUtcNow() - TimeSpan.FromMinutes(5));
        Assert.Equal(3, _ca.Requests);
        Assert.Equal(1, _time.PendingTimers);
    }

    [Fact]
    public async Task Certificates_CarryAMutualTlsHandshakeCheckedAgainstTheBundle()
    {
        var clientCert = await _manager.GetAsync(Client, Bounded());
        var serverCert = await _manager.GetAsync(Server, Bounded());
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        SpiffeId? seenByServer = null;
        SpiffeId? seenByClient = null;

        var serverTask = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(accepted.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = serverCert.SslContext,
                ClientCertificateRequired = true,
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, c, _, _) =>
                    Validates(c, serverCert) && (seenByServer = SpiffeCertificate.Identity(new X509Certificate2(c!))) is not null,
            });
            tls.WriteByte(42);
            await tls.FlushAsync();
        });
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        await using var clientTls = new SslStream(client.GetStream());
        await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "mesh",
            ClientCertificateContext = clientCert.SslContext,
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, c, _, _) =>
                Validates(c, clientCert) && (seenByClient = SpiffeCertificate.Identity(new X509Certificate2(c!))) is not null,
        });
        Assert.Equal(42, clientTls.ReadByte());
        await serverTask;

        Assert.Equal(Client, seenByServer);
        Assert.Equal(Server, seenByClient);
    }

    private bool Validates(X509Certificate? presented, WorkloadCertificate own)
    {
        if (presented is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(own.TrustBundle.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(own.Chain.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        return chain.Build(new X509Certificate2(presented));
    }

    private static byte[] OtherCsr(SpiffeId id)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(id.ToString()));
        req.CertificateExtensions.Add(san.Build());
        return req.CreateSigningRequest();
    }

    private sealed class RecordingCa(ICertificateAuthorityClient inner) : ICertificateAuthorityClient
    {
        public List<byte[]> Csrs { get; } = [];

        public Task<IssuedCertificate> SignAsync(SpiffeId identity, byte[] csrDer, CancellationToken cancellationToken)
        {
            lock (Csrs)
            {
                Csrs.Add(csrDer);
            }
            return inner.SignAsync(identity, csrDer, cancellationToken);
        }
    }

    /// <summary>Answers the first request with a certificate issued to someone else, then behaves.</summary>
    private sealed class LyingCa(ICertificateAuthorityClient inner, IssuedCertificate wrong) : ICertificateAuthorityClient
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<IssuedCertificate> SignAsync(SpiffeId identity, byte[] csrDer, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1 ? Task.FromResult(wrong) : inner.SignAsync(identity, csrDer, cancellationToken);
    }
}
