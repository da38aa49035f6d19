using Mesh.Waypoint.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Waypoint.Forwarding;

/// <summary>How an attempt that got no response headers ended, from YARP's error and exception (Envoy's reasons). Pure.</summary>
public static class AttemptOutcomes
{
    /// <param name="timedOut">The attempt's own or the request's timeout fired (our token, not the client's).</param>
    public static AttemptOutcome BeforeHeaders(ForwarderError error, Exception? exception, bool timedOut)
    {
        if (timedOut || error == ForwarderError.RequestTimedOut)
        {
            return AttemptOutcome.AttemptTimedOut;
        }
        for (var e = exception; e is not null; e = e is AggregateException { InnerExceptions.Count: > 0 } a ? a.InnerExceptions[0] : e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return AttemptOutcome.ConnectFailed;
            }
        }
        return AttemptOutcome.Reset;
    }

    /// <summary>The detail of the log line: the innermost useful message.</summary>
    public static string Detail(ForwarderError error, Exception? exception) =>
        exception is null ? error.ToString()
        : exception is AggregateException { InnerExceptions.Count: > 0 } a ? Detail(error, a.InnerExceptions[0])
        : exception.Message;
}
