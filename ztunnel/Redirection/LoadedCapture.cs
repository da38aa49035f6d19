using Mesh.Native;
using Mesh.Native.Bpf;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// The capture programs of one ztunnel instance, loaded once at start on the pinned maps (bpffs mounted first when
/// it is not): the <see cref="PodEnroller"/> attaches them to pods and the <see cref="OriginalDestinations"/> reads
/// their map. Disposing closes this process's fds; the pins stay.
/// </summary>
public sealed class LoadedCapture : IDisposable
{
    private LoadedCapture(RedirectionOptions options, CapturePins pins, CapturePrograms programs)
    {
        Options = options;
        Pins = pins;
        Programs = programs;
    }

    public RedirectionOptions Options { get; }

    /// <summary>Where this instance pins its capture.</summary>
    public CapturePins Pins { get; }

    internal CapturePrograms Programs { get; }

    /// <summary>
    /// Mounts bpffs if needed and loads the programs on the pinned maps (libbpf's messages go to
    /// <paramref name="logger"/>); a bad instance name, a missing bpffs or a verifier rejection throws a
    /// <see cref="RedirectionException"/> that says what to do.
    /// </summary>
    public static LoadedCapture Load(RedirectionOptions options, ILogger logger)
    {
        if (!CapturePins.IsValidInstance(options.Instance))
        {
            throw new RedirectionException($"instance name '{options.Instance}' must be 1-64 of a-z, 0-9, '.', '_', '-' (e.g. the node name)");
        }
        BpfLog.Use(logger);
        try
        {
            BpfFs.EnsureMounted(options.BpfFsRoot);
        }
        catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
        {
            throw new RedirectionException($"bpffs is not available at {options.BpfFsRoot}: {e.Message}", e);
        }
        var pins = CapturePins.For(options);
        return new LoadedCapture(options, pins, CapturePrograms.Load(options, pins));
    }

    public void Dispose() => Programs.Dispose();
}
