extern alias cni;
using System.Reflection;
using System.Text.Json;
using Mesh.Core.CommandLine;
using Mesh.Core.Discovery;
using Mesh.Core.Hbone;
using Mesh.Core.Http;
using Mesh.Core.Metrics;
using Mesh.Core.NodeAgent;

namespace Mesh.Tests.Unit.Core;

/// <summary>
/// core is split by job (ARCHITECTURE.md, "Repository layout"): the contracts and model, the node agent's wire, HBONE
/// and the control plane clients carry no ASP.NET Core, prometheus-net or System.CommandLine, so what takes one of
/// them (mesh-cni, the lab) does not get the others with it. The compiler keeps only the references a project uses, so a type of a forbidden
/// library used in the wrong project fails here.
/// </summary>
public sealed class CoreAssembliesTests
{
    private const string AspNet = "Microsoft.AspNetCore.";
    private const string Prometheus = "Prometheus.";
    private const string CommandLine = "System.CommandLine";

    /// <summary>Each core assembly: the Mesh.* assemblies it may reference, and the prefixes it must not.</summary>
    private static readonly (Assembly Assembly, string[] Mesh, string[] Forbidden)[] Core =
    [
        (typeof(Mesh.Core.MeshLabels).Assembly, [], [AspNet, Prometheus, CommandLine]),
        (typeof(NodeAgentWire).Assembly, [], [AspNet, Prometheus, CommandLine, "Microsoft.Extensions."]),
        (typeof(HboneClient).Assembly, ["Mesh.Core"], [AspNet, Prometheus, CommandLine]),
        (typeof(DiscoveryClient).Assembly, ["Mesh.Core"], [AspNet, Prometheus, CommandLine]),
        (typeof(MetricsRegistry).Assembly, ["Mesh.Core"], [AspNet, CommandLine]),
        (typeof(FlagParser).Assembly, [], [AspNet, Prometheus]),
        (typeof(H2cDetection).Assembly, [], [Prometheus, CommandLine]),
    ];

    [Fact]
    public void GetReferencedAssemblies_EveryCoreAssembly_OnlyWhatItsJobNeeds()
    {
        var strays = Core.SelectMany(c => Strays(c.Assembly.GetName().Name!, Names(c.Assembly), c.Mesh, c.Forbidden)).ToList();

        Assert.Equal(7, Core.Select(c => c.Assembly).Distinct().Count());
        Assert.True(strays.Count == 0, string.Join("\n", strays));
    }

    /// <summary>A CNI plugin runs once per pod: no host, no DI, no logging framework, no web stack.</summary>
    [Fact]
    public void GetReferencedAssemblies_MeshCni_NodeAgentWireAndFlagParserOnly()
    {
        var cniAssembly = typeof(cni::Mesh.Cni.CniPlugin).Assembly;

        var strays = Strays("mesh-cni", Names(cniAssembly), ["Mesh.Core.NodeAgent", "Mesh.Core.CommandLine"],
            [AspNet, Prometheus, "Microsoft.Extensions."]);

        Assert.Empty(strays);
    }

    /// <summary>
    /// A framework reference flows to everything that references the project, used or not: had a project under
    /// mesh-cni one on ASP.NET Core, the plugin's JIT build would ask for that framework too.
    /// </summary>
    [Fact]
    public void RuntimeConfig_MeshCni_OnlyTheBaseFramework()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "mesh-cni.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var options = config.RootElement.GetProperty("runtimeOptions");
        var frameworks = options.TryGetProperty("frameworks", out var many)
            ? many.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList()
            : [options.GetProperty("framework").GetProperty("name").GetString()];

        Assert.Equal(["Microsoft.NETCore.App"], frameworks);
    }

    [Fact]
    public void Strays_UnlistedMeshAndForbiddenReferences_NamesEach()
    {
        var strays = Strays("Mesh.Core.Hbone", ["System.Runtime", "Mesh.Core", "Mesh.Core.Metrics", "Prometheus.NetStandard"],
            ["Mesh.Core"], [Prometheus]);

        Assert.Equal(
        [
            "Mesh.Core.Hbone references Mesh.Core.Metrics, which its job does not need",
            "Mesh.Core.Hbone references Prometheus.NetStandard, which its job does not need",
        ], strays);
    }

    private static string[] Names(Assembly assembly) => [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];

    private static IEnumerable<string> Strays(string assembly, IEnumerable<string> referenced, string[] mesh, string[] forbidden) =>
        referenced
            .Where(r => (r.StartsWith("Mesh.", StringComparison.Ordinal) && !mesh.Contains(r)) ||
                        forbidden.Any(f => r.StartsWith(f, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .Select(r => $"{assembly} references {r}, which its job does not need");
}
