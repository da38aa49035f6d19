namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// The proxy side of the in-pod listeners: told when a pod's listeners are ready (start accepting)
/// and when they are about to close (stop). Called on the enrolling thread, never inside a pod's
/// namespace.
/// </summary>
public interface IPodListenerObserver
{
    void OnEnrolled(PodListeners listeners);

    void OnUnenrolled(PodListeners listeners);
}
