namespace Mesh.ControlPlane.Kubernetes;

/// <summary>What happened to an object, as the informer reports it to consumers.</summary>
public enum KubeEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>The initial list of this kind has been delivered in full (sent once per kind; Object is empty).</summary>
    Synced,
}
