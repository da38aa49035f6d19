namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The Kubernetes connection settings (kubeconfig or in-cluster service account) are missing or wrong.
/// The message names the file or setting and says what to fix.
/// </summary>
public sealed class KubeConfigException : Exception
{
    public KubeConfigException(string message)
        : base(message)
    {
    }

    public KubeConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubeConfigException()
    {
    }
}
