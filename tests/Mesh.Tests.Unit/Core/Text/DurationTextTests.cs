using Mesh.ControlPlane;
using Mesh.Core.Text;
using Mesh.Ztunnel;
using Mesh.Ztunnel.Limits;

namespace Mesh.Tests.Unit.Core.Text;

public sealed class DurationTextTests
{
    public static TheoryData<string> Texts => ["0", "0s", "500ms", "30s", "2m", "1.5m", "24h", "1d", "45", "-1s", "1.00:00:00", "10x", "ms", "s", "", "soon", "Infinitys", "1e3s", "99999999999d"];

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("24h", 86_400_000)]
    [InlineData("1d", 86_400_000)]
    public void TryParse_NumberWithUnit_Milliseconds(string text, int ms)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
    }

    [Theory]
    [InlineData("45")]
    [InlineData("-1s")]
    [InlineData("1.00:00:00")]
    [InlineData("10x")]
    [InlineData("ms")]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("Infinitys")]
    [InlineData("99999999999d")]
    public void TryParse_NotADuration_False(string text) => Assert.False(DurationText.TryParse(text, out _));

    /// <summary>ztunnel's flags, its drain timeout and the control plane's flags read durations alike (they had drifted into three parsers).</summary>
    [Theory]
    [MemberData(nameof(Texts))]
    public void EveryDurationFlag_SameText_SameAnswer(string text)
    {
        TimeSpan? expected = DurationText.TryParse(text, out var v) ? v : null;

        Assert.Equal(expected, Answer(() => ProxyLimitFlags.Duration("stream-idle-timeout", text, allowZero: true)));
        Assert.Equal(expected, Answer(() => ControlPlaneOptions.Duration("--cert-ttl", text)));
        var file = Path.GetTempFileName();
        try
        {
            Assert.Equal(expected, Answer(() => ZtunnelOptions.Parse(
                ["--node", "n1", "--control-plane", "https://198.19.0.1:15012", "--token-file", file, "--root-cert", file, "--drain-timeout", text]).DrainTimeout));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Duration_ZeroWhereNotAllowed_OneLineNamingTheFlag()
    {
        var e = Assert.Throws<ZtunnelConfigException>(() => ProxyLimitFlags.Duration("connect-timeout", "0s", allowZero: false));

        Assert.Equal("--connect-timeout '0s' is not a positive duration: write e.g. 500ms, 10s, 5m, 1h or 1d", e.Message);
    }

    private static TimeSpan? Answer(Func<TimeSpan> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is ZtunnelConfigException or ControlPlaneOptionsException)
        {
            return null;
        }
    }
}
