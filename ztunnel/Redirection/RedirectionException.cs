namespace Mesh.Ztunnel.Redirection;

/// <summary>Capture could not be set up for a pod or at start; the message says what to do.</summary>
public sealed class RedirectionException : Exception
{
    public RedirectionException()
    {
    }

    public RedirectionException(string message) : base(message)
    {
    }

    public RedirectionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
