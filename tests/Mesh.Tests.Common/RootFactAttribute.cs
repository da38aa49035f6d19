using Xunit;

namespace Mesh.Tests.Common;

/// <summary>
/// A fact that needs root (network namespaces, cgroups, eBPF). It skips with a reason when the
/// process is not root; CI runs as root, so there it always runs.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root (network namespaces, cgroups, eBPF); run the suite as root as CI does";
        }
    }
}
