using Mesh.Native;
using Mesh.Native.Bpf;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// The links an earlier ztunnel pinned per pod (<see cref="CapturePins.PodsDir"/>): opened at start and moved to
/// the programs this process loaded with one atomic bpf_link_update each, so the pod is captured throughout. A link
/// whose update fails keeps its old program (still capturing) and is reported.
/// </summary>
internal static class PinnedLinks
{
    /// <summary>Pod uid -> (program name -> link), for every pod folder under the pins.</summary>
    public static Dictionary<string, Dictionary<string, BpfLink>> Adopt(CapturePins pins, CapturePrograms programs, ILogger logger)
    {
        var adopted = new Dictionary<string, Dictionary<string, BpfLink>>(StringComparer.Ordinal);
        if (!Directory.Exists(pins.PodsDir))
        {
            return adopted;
        }
        foreach (var dir in Directory.GetDirectories(pins.PodsDir))
        {
            var uid = CapturePins.UidFromKey(Path.GetFileName(dir));
            if (uid is null)
            {
                continue;
            }
            var links = new Dictionary<string, BpfLink>(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(dir))
            {
                var name = Path.GetFileName(file);
                var program = programs.Find(name);
                if (program is null)
                {
                    continue;
                }
                try
                {
                    var link = BpfLink.OpenPinned(file, name == CapturePrograms.TcProgramName ? BpfLinkKind.Tcx : BpfLinkKind.Cgroup);
                    links[name] = link;
                    link.Update(program);
                }
                catch (BpfException e)
                {
                    RedirectionLog.AdoptFailed(logger, uid, name, e.Message);
                }
            }
            adopted[uid] = links;
        }
        return adopted;
    }

    /// <summary>
    /// Detaches every link pinned under <paramref name="pins"/> and removes the instance folder (maps and programs go
    /// once no process holds them). Clsact filters are not pinned: they are removed from <paramref name="knownPods"/>.
    /// </summary>
    public static void RemoveAll(CapturePins pins, RedirectionOptions options, IEnumerable<PodCapture> knownPods)
    {
        if (Directory.Exists(pins.PodsDir))
        {
            foreach (var file in Directory.GetFiles(pins.PodsDir, "*", SearchOption.AllDirectories))
            {
                try
                {
                    using var link = BpfLink.OpenPinned(file, BpfLinkKind.Cgroup);
                    link.Detach();
                }
                catch (BpfException)
                {
                    // not a link (or gone): the folder removal below takes the pin
                }
            }
        }
        foreach (var pod in knownPods)
        {
            try
            {
                BpfLink.RemoveStaleTcFilter(pod.NetnsPath, options.PodInterface);
            }
            catch (BpfException)
            {
                // the pod's namespace is gone, and its filter with it
            }
        }
        if (Directory.Exists(pins.Root))
        {
            Directory.Delete(pins.Root, recursive: true);
        }
        var parent = Path.GetDirectoryName(pins.Root);
        if (parent is not null && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
        {
            try
            {
                Directory.Delete(parent);
            }
            catch (IOException)
            {
                // another instance pinned meanwhile
            }
        }
    }
}
