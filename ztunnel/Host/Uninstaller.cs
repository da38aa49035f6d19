using System.Collections.Immutable;
using System.Text.Json;
using Mesh.Ztunnel.NodeAgent;
using Mesh.Ztunnel.Redirection;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// The clean uninstall (<c>ztunnel uninstall</c>): every pinned link of the instance detached, its folder removed, and on
/// the pods of <see cref="UninstallOptions.PodsFile"/> the clsact filter and the source-address routes.
/// </summary>
public static class Uninstaller
{
    /// <summary>Removes the capture; returns the process exit code.</summary>
    public static int Run(UninstallOptions options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<PodEnroller>();
        var pods = ReadPods(options.PodsFile, logger);
        StaleCapture.Uninstall(new RedirectionOptions { Instance = options.Instance }, pods.Select(p => p.ToCapture()), logger);
        return 0;
    }

    private static ImmutableArray<NodePod> ReadPods(string? podsFile, ILogger logger)
    {
        if (podsFile is null)
        {
            return []; // the pins alone say what to remove
        }
        try
        {
            return NodePodsFile.Read(podsFile);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            MeshHostLog.PodsFileUnreadable(logger, podsFile, e.Message);
            return [];
        }
    }
}
