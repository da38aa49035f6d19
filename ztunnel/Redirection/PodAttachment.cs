using Mesh.Native.Bpf;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Everything capture holds for one pod: its listeners and its program links (pinned in the pod's folder).</summary>
internal sealed class PodAttachment
{
    public PodAttachment(PodListeners listeners, IReadOnlyList<BpfLink> links)
    {
        Listeners = listeners;
        Links = links;
    }

    public PodListeners Listeners { get; }

    public IReadOnlyList<BpfLink> Links { get; }

    /// <summary>The listeners went to a successor ztunnel: this process must not close them.</summary>
    public bool HandedOver { get; set; }

    /// <summary>Detaches every program for good (new connects go direct again) and removes the pins.</summary>
    public void Detach()
    {
        foreach (var link in Links)
        {
            link.Detach();
        }
    }

    /// <summary>Releases this process's hold: link fds (pinned links stay attached) and the listeners unless handed over.</summary>
    public void Close()
    {
        foreach (var link in Links)
        {
            link.Dispose();
        }
        Listeners.Connections?.Dispose();
        if (!HandedOver)
        {
            Listeners.Outbound.Dispose();
            Listeners.Inbound.Dispose();
            Listeners.Hbone.Dispose();
        }
    }
}
