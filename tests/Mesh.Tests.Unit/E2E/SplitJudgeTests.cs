using Mesh.Tests.Common.E2E;

namespace Mesh.Tests.Unit.E2E;

public sealed class SplitJudgeTests
{
    [Theory]
    [InlineData(450)]
    [InlineData(424)]
    [InlineData(476)]
    public void Judge_9010Over500WithinFourSigma_Within(int hits)
    {
        var verdict = SplitJudge.Judge(hits, 500, 0.9);

        Assert.True(verdict.Within, verdict.Description);
        Assert.Equal(6.708, verdict.Sigma, 3);
        Assert.Contains("424..476", verdict.Description);
    }

    [Theory]
    [InlineData(423)] // just outside
    [InlineData(477)]
    [InlineData(250)] // 50/50: no route, ztunnel spreads over the two pods
    [InlineData(500)] // the weights ignored, all to the first backend
    [InlineData(400)] // 80/20
    [InlineData(0)]
    public void Judge_9010Over500FarOff_Outside(int hits)
    {
        var verdict = SplitJudge.Judge(hits, 500, 0.9);

        Assert.False(verdict.Within, verdict.Description);
        Assert.Contains("outside", verdict.Description);
    }

    [Fact]
    public void Judge_Description_SaysCountShareAndSigmas()
    {
        var verdict = SplitJudge.Judge(440, 500, 0.9);

        Assert.Equal("440 of 500 (88.0%) to the first backend; expected 450.0 (90%), sigma 6.71: -1.49 sigma, within +-4 sigma (424..476)", verdict.Description);
    }

    [Theory]
    [InlineData(1, 0, 0.9)]
    [InlineData(501, 500, 0.9)]
    [InlineData(-1, 500, 0.9)]
    [InlineData(10, 500, 1.0)]
    [InlineData(10, 500, 0.0)]
    public void Judge_NothingToJudge_Throws(int hits, int total, double share) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SplitJudge.Judge(hits, total, share));
}
