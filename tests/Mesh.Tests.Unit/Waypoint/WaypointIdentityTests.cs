using Mesh.Core.Identity;
using Mesh.Tests.Common;
using Mesh.Waypoint.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class WaypointIdentityTests
{
    private static readonly SpiffeId Id = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/waypoint");

    [Fact]
    public async Task RunAsync_FirstCertificate_CarriesTheIdentityWithKeyAndBundle()
    {
        var time = new ManualTimeProvider();
        using var ca = new TestCertificateAuthority(time, TimeSpan.FromHours(1));
        using var stop = new CancellationTokenSource();
        var identity = new WaypointIdentity(ca, Id, time, NullLogger<WaypointIdentity>.Instance);

        var loop = identity.RunAsync(stop.Token);
        await identity.Ready.WaitAsync(TimeSpan.FromSeconds(30));

        var credential = identity.Current!;
        Assert.Equal(Id, credential.Identity);
        Assert.True(credential.Certificate.HasPrivateKey);
        Assert.Equal(ca.Root.RawData, Assert.Single(credential.TrustBundle).RawData);
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task RunAsync_HalfLifePassed_Renewed()
    {
        var time = new ManualTimeProvider();
        using var ca = new TestCertificateAuthority(time, TimeSpan.FromHours(1));
        using var stop = new CancellationTokenSource();
        var identity = new WaypointIdentity(ca, Id, time, NullLogger<WaypointIdentity>.Instance);
        var loop = identity.RunAsync(stop.Token);
        await identity.Ready.WaitAsync(TimeSpan.FromSeconds(30));
        var first = identity.Current;
        await Until(() => time.PendingTimers == 1);

        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Same(first, identity.Current);
        time.Advance(TimeSpan.FromMinutes(11));
        await Until(() => !ReferenceEquals(first, identity.Current));

        Assert.Equal(2, ca.Requests);
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task RunAsync_CaFails_RetriesWithBackoffUntilIssued()
    {
        var time = new ManualTimeProvider();
        using var ca = new TestCertificateAuthority(time, TimeSpan.FromHours(1));
        ca.FailNext(2);
        using var stop = new CancellationTokenSource();
        var identity = new WaypointIdentity(ca, Id, time, NullLogger<WaypointIdentity>.Instance);

        var loop = identity.RunAsync(stop.Token);
        await Until(() => ca.Requests == 1 && time.PendingTimers == 1);
        Assert.Null(identity.Current);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await Until(() => ca.Requests == 2 && time.PendingTimers == 1);
        Assert.Null(identity.Current);
        time.Advance(TimeSpan.FromMilliseconds(1000));
        await identity.Ready.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, ca.Requests);
        await stop.CancelAsync();
        await loop;
    }

    private static Task Until(Func<bool> condition) =>
        Mesh.Tests.Common.Lab.LabFixture.WaitUntilAsync(() => Task.FromResult(condition()), TimeSpan.FromSeconds(30), "condition not reached");
}
