using Mesh.ControlPlane.Kubernetes;

namespace Mesh.Tests.Unit.Kubernetes;

public sealed class KubeTokenSourceTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void GetToken_FileRewritten_NewTokenOnlyAfterRefreshInterval()
    {
        File.WriteAllText(_file, "first\n");
        var clock = new ManualClock();
        var source = new KubeTokenSource(null, _file, clock, TimeSpan.FromMinutes(1));
        Assert.Equal("first", source.GetToken());

        File.WriteAllText(_file, "second");
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("first", source.GetToken());

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("second", source.GetToken());
    }

    [Fact]
    public void GetToken_FileVanishesAfterFirstRead_KeepsLastToken()
    {
        File.WriteAllText(_file, "kept");
        var clock = new ManualClock();
        var source = new KubeTokenSource(null, _file, clock);
        Assert.Equal("kept", source.GetToken());

        File.Delete(_file);
        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("kept", source.GetToken());
    }

    [Fact]
    public void GetToken_FixedToken_ReturnsIt()
    {
        Assert.Equal("fixed", new KubeTokenSource("fixed", null, new ManualClock()).GetToken());
        Assert.Null(new KubeTokenSource(null, null, new ManualClock()).GetToken());
    }
}
