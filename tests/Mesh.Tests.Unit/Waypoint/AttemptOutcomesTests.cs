using Mesh.Waypoint.Forwarding;
using Mesh.Waypoint.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class AttemptOutcomesTests
{
    [Fact]
    public void BeforeHeaders_ConnectionErrorInside_ConnectFailed()
    {
        var e = new HttpRequestException(HttpRequestError.ConnectionError, "hbone to 198.18.250.4:8080: Refused");

        Assert.Equal(AttemptOutcome.ConnectFailed, AttemptOutcomes.BeforeHeaders(ForwarderError.Request, new AggregateException(e), timedOut: false));
        Assert.Equal(AttemptOutcome.ConnectFailed, AttemptOutcomes.BeforeHeaders(ForwarderError.Request, new HttpRequestException("wrap", e), timedOut: false));
    }

    [Fact]
    public void BeforeHeaders_ResetAfterConnect_Reset()
    {
        var e = new HttpRequestException(HttpRequestError.ResponseEnded, "the response ended prematurely");

        Assert.Equal(AttemptOutcome.Reset, AttemptOutcomes.BeforeHeaders(ForwarderError.Request, e, timedOut: false));
        Assert.Equal(AttemptOutcome.Reset, AttemptOutcomes.BeforeHeaders(ForwarderError.RequestBodyDestination, null, timedOut: false));
    }

    [Fact]
    public void BeforeHeaders_OurTimeoutOrYarpsIdleTimeout_AttemptTimedOut()
    {
        var connect = new HttpRequestException(HttpRequestError.ConnectionError, "x");

        Assert.Equal(AttemptOutcome.AttemptTimedOut, AttemptOutcomes.BeforeHeaders(ForwarderError.RequestCanceled, connect, timedOut: true));
        Assert.Equal(AttemptOutcome.AttemptTimedOut, AttemptOutcomes.BeforeHeaders(ForwarderError.RequestTimedOut, null, timedOut: false));
    }

    [Fact]
    public void Detail_AggregateOrNone_InnermostMessageOrErrorName()
    {
        Assert.Equal("inner", AttemptOutcomes.Detail(ForwarderError.Request, new AggregateException(new IOException("inner"))));
        Assert.Equal("Request", AttemptOutcomes.Detail(ForwarderError.Request, null));
    }
}
