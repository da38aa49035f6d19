using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Mesh.Tests.Common.Lab;
using Mesh.Tests.Unit.NamespaceSamples.Lower;
using Mesh.Tests.Unit.NamespaceSamples.Upper;

namespace Mesh.Tests.Unit;

/// <summary>
/// Folders (namespaces) of a product assembly form no cycle (ARCHITECTURE.md, "Code layout"): read from the compiled
/// code, since C# puts a parent namespace in scope without a using (Mesh.ControlPlane.Hosting sees Mesh.ControlPlane
/// silently). The product assemblies are found in the test's output folder, so a new project is covered once
/// the unit tests reference it.
/// </summary>
public sealed partial class NamespaceCyclesTests
{
    private static readonly string[] NotProduct = ["Mesh.Tests", "Mesh.Bench", "Mesh.Fuzz", "Mesh.Samples"];

    public static TheoryData<string> ProductAssemblies() => [.. ProductAssemblyNames()];

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void Namespaces_ProductAssembly_FormNoCycle(string assembly)
    {
        var cycles = NamespaceCycles.Describe(NamespaceGraph.Of(Assembly.Load(new AssemblyName(assembly))));

        Assert.True(cycles.Count == 0,
            $"{assembly} has {cycles.Count} namespace cycle(s); move a type to the namespace it belongs to, or give the lower "
            + $"namespace an interface or a plain value to depend on:\n{string.Join("\n", cycles)}");
    }

    [Fact]
    public void ProductAssemblies_UnitTestOutput_HoldEveryProductProject()
    {
        var projects = Directory.EnumerateDirectories(RepoPaths.Root)
            .Where(d => Path.GetFileName(d) is not ("tests" or "bench" or "samples" or "artifacts"))
            .SelectMany(d => Directory.EnumerateFiles(d, "*.csproj", SearchOption.AllDirectories))
            .Select(p => AssemblyNameRegex().Match(File.ReadAllText(p)) is { Success: true } m ? m.Groups[1].Value : Path.GetFileNameWithoutExtension(p))
            .ToList();

        var missing = projects.Except(ProductAssemblyNames()).ToList();

        Assert.True(projects.Count >= 8, $"found only {projects.Count} product projects under {RepoPaths.Root}");
        Assert.True(missing.Count == 0, $"not in the unit tests' output, so unchecked for namespace cycles: {string.Join(", ", missing)}; "
            + "add a ProjectReference to tests/Mesh.Tests.Unit");
    }

    [Fact]
    public void Describe_GraphWithACycle_NamesItsNamespacesAndEveryEdgeInIt()
    {
        var edges = new Dictionary<(string, string), string>
        {
            [("A", "B")] = "A.X.M uses B.Y",
            [("B", "C")] = "B.Y.N uses C.Z",
            [("C", "A")] = "C.Z.O uses A.X",
            [("C", "D")] = "C.Z.P uses D.W",
            [("E", "D")] = "E.V.Q uses D.W",
        };

        var cycles = NamespaceCycles.Describe(edges);

        Assert.Equal(["cycle A, B, C:\n  A -> B: A.X.M uses B.Y\n  B -> C: B.Y.N uses C.Z\n  C -> A: C.Z.O uses A.X"], cycles);
    }

    [Fact]
    public void Describe_Dag_ReportsNothing()
    {
        var edges = new Dictionary<(string, string), string>
        {
            [("A", "B")] = "a", [("A", "C")] = "b", [("B", "C")] = "c", [("C", "D")] = "d",
        };

        Assert.Empty(NamespaceCycles.Describe(edges));
    }

    [Fact]
    public void Describe_TwoSeparateCycles_ReportsEachOnItsOwn()
    {
        var edges = new Dictionary<(string, string), string>
        {
            [("A", "B")] = "a", [("B", "A")] = "b", [("B", "C")] = "c", [("C", "D")] = "d", [("D", "C")] = "e",
        };

        Assert.Equal(["cycle A, B:\n  A -> B: a\n  B -> A: b", "cycle C, D:\n  C -> D: d\n  D -> C: e"], NamespaceCycles.Describe(edges));
    }

    [Fact]
    public void Of_TypeUsedOnlyInALambdaBody_IsAnEdgeOfTheOuterTypesNamespace()
    {
        var lower = typeof(LowerPart).Namespace!;
        var upper = typeof(UpperWidget).Namespace!;

        var edges = NamespaceGraph.Of(typeof(LowerPart).Assembly);

        Assert.Equal($"{upper}.UpperWidget.Make uses {lower}.LowerPart", edges[(upper, lower)]);
        Assert.StartsWith($"{lower}.LowerPart+<>c.<Later>", edges[(lower, upper)], StringComparison.Ordinal);
        Assert.EndsWith($" uses {upper}.UpperWidget", edges[(lower, upper)], StringComparison.Ordinal);
        Assert.Contains(NamespaceCycles.Describe(edges), c => c.StartsWith($"cycle {lower}, {upper}:", StringComparison.Ordinal));
    }

    /// <summary>The assemblies next to the tests that define Mesh namespaces and are not tests, benchmarks, fuzzers or samples.</summary>
    private static List<string> ProductAssemblyNames()
    {
        var names = new List<string>();
        foreach (var path in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
        {
            using var pe = new PEReader(File.OpenRead(path));
            if (!pe.HasMetadata || pe.GetMetadataReader() is not { IsAssembly: true } metadata)
            {
                continue;
            }
            var namespaces = metadata.TypeDefinitions.Select(t => metadata.GetString(metadata.GetTypeDefinition(t).Namespace)).ToHashSet();
            if (namespaces.Any(n => n == "Mesh" || n.StartsWith("Mesh.", StringComparison.Ordinal))
                && !namespaces.Any(n => NotProduct.Any(p => n == p || n.StartsWith(p + ".", StringComparison.Ordinal))))
            {
                names.Add(metadata.GetString(metadata.GetAssemblyDefinition().Name));
            }
        }
        return [.. names.Order(StringComparer.Ordinal)];
    }

    [GeneratedRegex("<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyNameRegex();
}
