using Mesh.ControlPlane.Kubernetes;

namespace Mesh.Tests.Unit.Kubernetes;

public sealed class KubeBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0, 500)]
    [InlineData(1, 1000)]
    [InlineData(3, 4000)]
    [InlineData(6, 30000)]
    [InlineData(40, 30000)]
    public void Delay_Attempt_DoublesUpToMax(int attempt, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), KubeBackoff.Delay(attempt, Initial, Max, jitter: 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs / 2.0), KubeBackoff.Delay(attempt, Initial, Max, jitter: 0.0));
    }

    [Fact]
    public void Delay_Jitter_SpreadsWithinHalfToFull()
    {
        var delays = Enumerable.Range(0, 10).Select(i => KubeBackoff.Delay(2, Initial, Max, i / 10.0)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
        Assert.Equal(10, delays.Distinct().Count());
    }
}
