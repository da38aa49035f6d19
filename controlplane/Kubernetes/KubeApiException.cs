using System.Net;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The API server answered a request with an error status (an HTTP status, or a watch ERROR event
/// carrying a Status object). 410 Gone means the resourceVersion is too old: relist.
/// </summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException(HttpStatusCode statusCode, string? reason, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    public KubeApiException()
    {
    }

    public KubeApiException(string message)
        : base(message)
    {
    }

    public KubeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The Status reason (e.g. Expired, Gone, Forbidden) when the server sent one.</summary>
    public string? Reason { get; }

    public bool IsGone => StatusCode == HttpStatusCode.Gone;
}
