using Mesh.Native.Check;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>The machine checks the mesh host runs at start (the same ones `meshctl check` prints).</summary>
internal static class StartChecks
{
    /// <summary>Logs one line per check; false (with one critical line saying what to do) when any failed.</summary>
    public static bool Pass(ILogger logger)
    {
        var failed = false;
        foreach (var check in CaptureChecker.Run())
        {
            var line = check.ToString();
            MeshHostLog.Check(logger, line);
            failed |= !check.Ok;
        }
        if (failed)
        {
            MeshHostLog.StartFailed(logger, "the machine lacks what eBPF capture needs (see the FAIL lines above; `meshctl check` shows the same)");
        }
        return !failed;
    }
}
