using Mesh.Waypoint.Routing;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class EndpointVerdictsTests
{
    [Theory]
    [InlineData(200, null, EndpointVerdict.Success)]
    [InlineData(404, null, EndpointVerdict.Success)]
    [InlineData(500, null, EndpointVerdict.Failure)]
    [InlineData(503, null, EndpointVerdict.Failure)]
    [InlineData(429, null, EndpointVerdict.Failure)]
    [InlineData(200, "0", EndpointVerdict.Success)]
    [InlineData(200, "5", EndpointVerdict.Success)]
    [InlineData(200, "8", EndpointVerdict.Failure)]
    [InlineData(200, "14", EndpointVerdict.Failure)]
    [InlineData(200, "13", EndpointVerdict.Failure)]
    [InlineData(200, "x", EndpointVerdict.Success)]
    public void Of_Response_StatusAndGrpcStatusDecide(int status, string? grpc, EndpointVerdict expected) =>
        Assert.Equal(expected, EndpointVerdicts.Of(status, grpc));

    [Fact]
    public void Of_NoResponse_Failure() => Assert.Equal(EndpointVerdict.Failure, EndpointVerdicts.Of(null, null));
}
