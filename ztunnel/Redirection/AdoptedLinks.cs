using Mesh.Native;
using Mesh.Native.Bpf;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// The links an earlier ztunnel pinned per pod, moved to this process's programs at start (<see cref="PinnedLinks.Adopt"/>),
/// until each pod is enrolled again (its links are reused) or released (detached, its pins removed). Used under the
/// <see cref="PodEnroller"/>'s lock.
/// </summary>
internal sealed class AdoptedLinks(CapturePins pins, ILogger logger)
{
    private Dictionary<string, Dictionary<string, BpfLink>> _byPod = new(StringComparer.Ordinal);

    public int Count => _byPod.Count;

    public IReadOnlyCollection<string> Uids => _byPod.Keys.ToArray();

    public bool Contains(string uid) => _byPod.ContainsKey(uid);

    /// <summary>Opens the pinned links and moves them to <paramref name="programs"/> (the pods stay captured).</summary>
    public void Adopt(CapturePrograms programs) => _byPod = PinnedLinks.Adopt(pins, programs, logger);

    /// <summary>The pod's adopted links (program name -> link), now the caller's; empty when there were none.</summary>
    public Dictionary<string, BpfLink> Take(string uid) =>
        _byPod.Remove(uid, out var links) ? links : new Dictionary<string, BpfLink>(StringComparer.Ordinal);

    /// <summary>Gives back links taken for an enrollment that failed: the pod stays captured for the retry.</summary>
    public void Return(string uid, Dictionary<string, BpfLink> links) => _byPod[uid] = links;

    /// <summary>Detaches and unpins the adopted pods not in <paramref name="keep"/> (all when null).</summary>
    public void Release(IReadOnlySet<string>? keep)
    {
        foreach (var (uid, links) in _byPod.Where(a => keep is null || !keep.Contains(a.Key)).ToArray())
        {
            _byPod.Remove(uid);
            foreach (var link in links.Values)
            {
                TryDetach(link);
                link.Dispose();
            }
            RemovePodPins(uid);
            RedirectionLog.AdoptedReleased(logger, uid);
        }
    }

    /// <summary>Closes this process's fds of the adopted links; they stay pinned and attached.</summary>
    public void Close()
    {
        foreach (var link in _byPod.Values.SelectMany(l => l.Values))
        {
            link.Dispose();
        }
        _byPod.Clear();
    }

    public void TryDetach(BpfLink link)
    {
        try
        {
            link.Detach();
        }
        catch (BpfException e)
        {
            RedirectionLog.StaleCleanupFailed(logger, link.PinPath ?? link.Kind.ToString(), e.Message);
        }
    }

    public void RemovePodPins(string uid)
    {
        try
        {
            var dir = pins.PodDir(uid);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException e)
        {
            RedirectionLog.StaleCleanupFailed(logger, uid, e.Message);
        }
    }
}
