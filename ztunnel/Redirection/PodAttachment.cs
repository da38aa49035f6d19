using Mesh.Native;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Everything capture holds for one pod: its listeners and its program links.</summary>
internal sealed class PodAttachment
{
    public PodAttachment(PodListeners listeners, IReadOnlyList<BpfLink> links)
    {
        Listeners = listeners;
        Links = links;
    }

    public PodListeners Listeners { get; }

    public IReadOnlyList<BpfLink> Links { get; }

    /// <summary>Detaches programs first (new connects go direct again), then closes the listeners.</summary>
    public void Release()
    {
        foreach (var link in Links)
        {
            link.Dispose();
        }
        Listeners.Outbound.Dispose();
        Listeners.Inbound.Dispose();
        Listeners.Hbone.Dispose();
    }
}
