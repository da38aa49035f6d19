using Xunit;

namespace Mesh.Tests.Common.Charts;

/// <summary>
/// A fact that runs the real helm binary. It skips with a reason only when helm is not installed, which never
/// happens after `make test` (scripts/deps.sh runs scripts/tools.sh, which puts helm into .tools/bin).
/// </summary>
public sealed class HelmFactAttribute : FactAttribute
{
    public HelmFactAttribute()
    {
        if (Helm.Path is null)
        {
            Skip = "helm is not installed: run scripts/tools.sh (or `make setup`) to put helm 4 into .tools/bin";
        }
    }
}
