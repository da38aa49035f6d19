using System.Collections.Immutable;
using Mesh.Core.Identity;
using Mesh.Tests.Common;
using Mesh.Waypoint.Identity;
using Mesh.Ztunnel.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Unit.Core.Identity;

/// <summary>
/// ztunnel's identity manager and the waypoint's identity fetch certificates one way (<see cref="CertificateFetch"/>).
/// Each bad CA answer is put to both: if either starts serving a certificate the other refuses, they have drifted
/// apart again (the waypoint's copy once skipped the identity and trust-bundle checks).
/// </summary>
public sealed class CertificateFetchTests
{
    private static readonly SpiffeId Id = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/waypoint");
    private static readonly SpiffeId Other = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/other");

    public enum BadAnswer
    {
        AnotherIdentity,
        NoTrustBundle,
        AnotherKey,
    }

    /// <summary>The real test CA, with its answer spoiled in one way.</summary>
    private sealed class SpoilingCa(TestCertificateAuthority inner, BadAnswer bad) : ICertificateAuthorityClient
    {
        public int Requests;

        public async Task<IssuedCertificate> SignAsync(SpiffeId identity, byte[] csrDer, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Requests);
            switch (bad)
            {
                case BadAnswer.AnotherIdentity:
                    var (k1, other) = CsrBuilder.Create(Other);
                    using (k1)
                    {
                        return await inner.SignAsync(Other, other, cancellationToken);
                    }
                case BadAnswer.AnotherKey:
                    var (k2, fresh) = CsrBuilder.Create(identity);
                    using (k2)
                    {
                        return await inner.SignAsync(identity, fresh, cancellationToken);
                    }
                default:
                    return await inner.SignAsync(identity, csrDer, cancellationToken) with { TrustBundle = ImmutableArray<System.Security.Cryptography.X509Certificates.X509Certificate2>.Empty };
            }
        }
    }

    [Theory]
    [InlineData(BadAnswer.AnotherIdentity)]
    [InlineData(BadAnswer.NoTrustBundle)]
    [InlineData(BadAnswer.AnotherKey)]
    public async Task FetchAsync_BadCaAnswer_RefusedByZtunnelAndWaypointAlike(BadAnswer bad)
    {
        var time = new ManualTimeProvider();
        using var inner = new TestCertificateAuthority(time, TimeSpan.FromHours(1));

        await Assert.ThrowsAsync<InvalidDataException>(() => CertificateFetch.FetchAsync(new SpoilingCa(inner, bad), Id, CancellationToken.None));

        var ztunnelCa = new SpoilingCa(inner, bad);
        await using (var manager = new IdentityManager(ztunnelCa, time))
        {
            manager.SetLocalIdentities([Id]);
            // The first answer is refused and a retry is waiting on the (manual) clock: nothing is served.
            await Until(() => ztunnelCa.Requests == 1 && time.PendingTimers == 1);
            Assert.False(manager.TryGetCurrent(Id, out _));
        }

        var waypointCa = new SpoilingCa(inner, bad);
        using var stop = new CancellationTokenSource();
        var waypoint = new WaypointIdentity(waypointCa, Id, time, NullLogger<WaypointIdentity>.Instance);
        var loop = waypoint.RunAsync(stop.Token);
        await Until(() => waypointCa.Requests == 1 && time.PendingTimers == 1);
        Assert.Null(waypoint.Current);
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task FetchAsync_GoodAnswer_LeafCarriesTheKeyAndBothRenewAtTheSameFraction()
    {
        var time = new ManualTimeProvider();
        using var ca = new TestCertificateAuthority(time, TimeSpan.FromHours(1));

        var issued = await CertificateFetch.FetchAsync(ca, Id, CancellationToken.None);

        Assert.True(issued.Leaf.HasPrivateKey);
        Assert.Equal(Id, SpiffeCertificate.Identity(issued.Leaf));
        var notBefore = new DateTimeOffset(issued.Leaf.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(issued.Leaf.NotAfter.ToUniversalTime());
        Assert.Equal(notBefore + (notAfter - notBefore) / 2, CertificateFetch.RefreshAt(issued.Leaf, new IdentityManagerOptions().RefreshFraction));
    }

    private static Task Until(Func<bool> condition) =>
        Mesh.Tests.Common.Lab.LabFixture.WaitUntilAsync(() => Task.FromResult(condition()), TimeSpan.FromSeconds(30), "condition not reached");
}
