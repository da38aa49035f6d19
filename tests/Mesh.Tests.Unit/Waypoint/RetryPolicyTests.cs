using Mesh.Core.Model;
using Mesh.Waypoint.Routing;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class RetryPolicyTests
{
    private static readonly HttpRetry ThreeOn503 = new() { Attempts = 3, Codes = [503], Backoff = TimeSpan.FromMilliseconds(10) };

    [Theory]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void ShouldRetry_AttemptsAreRetriesAfterTheFirst(int attemptsMade, bool expected)
    {
        Assert.Equal(expected, RetryPolicy.ShouldRetry(ThreeOn503, attemptsMade, AttemptOutcome.Response, 503));
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(500, false)]
    [InlineData(503, true)]
    public void ShouldRetry_OnlyListedCodes(int status, bool expected)
    {
        Assert.Equal(expected, RetryPolicy.ShouldRetry(ThreeOn503, 1, AttemptOutcome.Response, status));
    }

    [Theory]
    [InlineData(AttemptOutcome.ConnectFailed)]
    [InlineData(AttemptOutcome.Reset)]
    [InlineData(AttemptOutcome.AttemptTimedOut)]
    public void ShouldRetry_ConnectionFailuresAlwaysRetried(AttemptOutcome outcome)
    {
        Assert.True(RetryPolicy.ShouldRetry(new HttpRetry { Attempts = 1 }, 1, outcome, 0));
    }

    [Fact]
    public void ShouldRetry_NoPolicy_Never()
    {
        Assert.False(RetryPolicy.ShouldRetry(null, 1, AttemptOutcome.ConnectFailed, 0));
    }

    [Fact]
    public void Backoff_DoublesFromBaseCappedAtTenTimes()
    {
        Assert.Equal([10, 20, 40, 80, 100, 100], Enumerable.Range(1, 6).Select(n => RetryPolicy.Backoff(ThreeOn503, n).TotalMilliseconds));
    }

    [Fact]
    public void Backoff_Unset_Envoy25ms()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(25), RetryPolicy.Backoff(new HttpRetry { Attempts = 1 }, 1));
    }

    [Theory]
    [InlineData(14, 1, true)]
    [InlineData(14, 2, true)]
    [InlineData(14, 3, false)]
    [InlineData(5, 1, false)]
    [InlineData(0, 1, false)]
    public void ShouldRetryGrpc_ListedCodeWithinAttempts(int grpcStatus, int attemptsMade, bool expected)
    {
        var retry = new HttpRetry { Attempts = 2, GrpcCodes = [14] };

        Assert.Equal(expected, RetryPolicy.ShouldRetryGrpc(retry, attemptsMade, grpcStatus));
    }

    [Fact]
    public void ShouldRetryGrpc_HttpCodesOnly_NeverOnGrpcStatus()
    {
        Assert.False(RetryPolicy.ShouldRetryGrpc(ThreeOn503, 1, 14));
    }
}
