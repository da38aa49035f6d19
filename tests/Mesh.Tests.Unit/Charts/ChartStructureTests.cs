using Mesh.Tests.Common.Charts;

namespace Mesh.Tests.Unit.Charts;

/// <summary>
/// The rendered manifests through kubectl's own reader (`kubectl kustomize`, no API server needed): every
/// document is a well-formed object and no object is rendered twice.
/// </summary>
public sealed class ChartStructureTests
{
    [HelmFact]
    public async Task Kustomize_DefaultAndCustomManifests_AreDistinctWellFormedObjects()
    {
        Assert.NotNull(Helm.Kubectl);
        foreach (var chart in new[] { await RenderedChart.Default, await RenderedChart.Custom })
        {
            var dir = Directory.CreateTempSubdirectory("mesh-chart-kustomize-");
            try
            {
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, "mesh.yaml"), chart.Yaml);
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, "kustomization.yaml"), "resources:\n- mesh.yaml\n");

                var (exit, stdout, stderr) = await Helm.RunProcessAsync(Helm.Kubectl!, ["kustomize", dir.FullName]);

                Assert.True(exit == 0, stderr);
                Assert.Equal(chart.Objects.Count, stdout.Split('\n').Count(l => l.StartsWith("kind: ", StringComparison.Ordinal)));
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }
    }
}
