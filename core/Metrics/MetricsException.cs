namespace Mesh.Core.Metrics;

/// <summary>The metrics or readiness endpoint cannot start; the message says what to do.</summary>
public sealed class MetricsException : Exception
{
    public MetricsException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    public MetricsException()
    {
    }

    public MetricsException(string message) : base(message)
    {
    }
}
