using Mesh.Native;
using Mesh.Native.Bpf;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// What capture leaves in a pod that no pin records (a clsact filter, the source-address routes), removed where a
/// crashed earlier ztunnel left it, and the clean uninstall of an instance.
/// </summary>
public static class StaleCapture
{
    /// <summary>Removes a clsact filter and the source-address routes from <paramref name="pod"/> (at start, on pods not pinned).</summary>
    internal static void RemoveFrom(PodCapture pod, RedirectionOptions options, SourcePreservation source, ILogger logger)
    {
        try
        {
            if (BpfLink.RemoveStaleTcFilter(pod.NetnsPath, options.PodInterface))
            {
                RedirectionLog.StaleFilterRemoved(logger, pod.Uid, options.PodInterface);
            }
        }
        catch (BpfException e)
        {
            RedirectionLog.StaleCleanupFailed(logger, pod.Uid, e.Message);
        }
        source.RemoveStale(pod);
    }

    /// <summary>
    /// Removes an instance's capture without loading anything (<c>ztunnel uninstall</c>; no ztunnel of the instance may
    /// run): every pinned link detached, the instance folder removed, and on <paramref name="knownPods"/> a clsact filter
    /// and the source-address routes.
    /// </summary>
    public static void Uninstall(RedirectionOptions options, IEnumerable<PodCapture> knownPods, ILogger logger)
    {
        var pods = knownPods.ToArray();
        var pins = CapturePins.For(options);
        PinnedLinks.RemoveAll(pins, options, pods);
        var source = new SourcePreservation(options, logger);
        foreach (var pod in pods)
        {
            source.RemoveStale(pod, reportRemoved: false);
        }
        RedirectionLog.Uninstalled(logger, pins.Root);
    }
}
