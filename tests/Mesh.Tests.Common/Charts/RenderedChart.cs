using System.Text.Json.Nodes;
using Mesh.ControlPlane.Registry;

namespace Mesh.Tests.Common.Charts;

/// <summary>
/// The manifests `helm template` renders from charts/mesh (CRDs included), parsed with the control plane's own YAML
/// reader, plus the NOTES of `helm install --dry-run=client`. Rendered once per values set and shared by the tests.
/// </summary>
public sealed class RenderedChart
{
    public const string Namespace = "mesh-system";
    public const string Release = "mesh";

    private static readonly Lazy<Task<RenderedChart>> DefaultValue = new(() => RenderAsync());
    private static readonly Lazy<Task<RenderedChart>> CustomValue = new(() => RenderAsync("-f", Helm.CustomValues));

    private RenderedChart(string yaml, string notes)
    {
        Yaml = yaml;
        Objects = YamlDocuments.Parse(yaml);
        Notes = notes;
    }

    /// <summary>The chart with its default values.</summary>
    public static Task<RenderedChart> Default => DefaultValue.Value;

    /// <summary>The chart with tests/Mesh.Tests.Unit/Charts/values-custom.yaml.</summary>
    public static Task<RenderedChart> Custom => CustomValue.Value;

    /// <summary>The output of `helm template` as it came.</summary>
    public string Yaml { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    public string Notes { get; }

    public static async Task<RenderedChart> RenderAsync(params string[] valuesArgs)
    {
        var template = await Helm.RunAsync([.. Common("template"), "--include-crds", .. valuesArgs]);
        if (template.ExitCode != 0)
        {
            throw new InvalidOperationException($"helm template failed ({template.ExitCode}): {template.Stderr}");
        }
        var install = await Helm.RunAsync([.. Common("install"), "--dry-run=client", .. valuesArgs]);
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"helm install --dry-run=client failed ({install.ExitCode}): {install.Stderr}");
        }
        var notesAt = install.Stdout.IndexOf("\nNOTES:\n", StringComparison.Ordinal);
        return new RenderedChart(template.Stdout, notesAt < 0 ? "" : install.Stdout[(notesAt + 8)..]);
    }

    private static string[] Common(string command) => [command, Release, Helm.Chart, "--namespace", Namespace];

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject? Find(string kind, string name) => OfKind(kind).FirstOrDefault(o => (string?)o["metadata"]?["name"] == name);

    public JsonObject Get(string kind, string name) =>
        Find(kind, name) ?? throw new InvalidOperationException($"the chart renders no {kind} '{name}' (it renders: {string.Join(", ", Objects.Select(o => $"{o["kind"]}/{o["metadata"]?["name"]}"))})");

    public JsonObject ControlPlane => Get("Deployment", "controlplane");

    public JsonObject Ztunnel => Get("DaemonSet", "ztunnel");

    public static JsonObject PodSpec(JsonObject workload) => workload["spec"]!["template"]!["spec"]!.AsObject();

    public static JsonObject PodLabels(JsonObject workload) => workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

    public static JsonObject Container(JsonObject workload, string name) =>
        Containers(workload).FirstOrDefault(c => (string?)c["name"] == name)
        ?? throw new InvalidOperationException($"{workload["kind"]} {workload["metadata"]!["name"]} has no container '{name}'");

    /// <summary>Init and regular containers.</summary>
    public static IEnumerable<JsonObject> Containers(JsonObject workload)
    {
        var spec = PodSpec(workload);
        return new[] { spec["initContainers"], spec["containers"] }.OfType<JsonArray>().SelectMany(a => a).OfType<JsonObject>();
    }

    public static List<string> Strings(JsonNode? array) => array is JsonArray a ? [.. a.Select(n => n!.ToString())] : [];

    /// <summary>The container's args as flag -> value ("--node NODE" pairs; a flag without a value maps to "").</summary>
    public static Dictionary<string, string> Flags(JsonObject container)
    {
        var args = Strings(container["args"]);
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }
            flags[args[i]] = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
        }
        return flags;
    }

    /// <summary>The volume mounted at the container's mount path that holds <paramref name="file"/> (longest prefix).</summary>
    public static (JsonObject Mount, JsonObject Volume) VolumeFor(JsonObject workload, JsonObject container, string file)
    {
        var mount = container["volumeMounts"]!.AsArray().OfType<JsonObject>()
            .Where(m => file.StartsWith(m["mountPath"]!.ToString().TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m["mountPath"]!.ToString().Length).FirstOrDefault()
            ?? throw new InvalidOperationException($"no volume of container {container["name"]} is mounted above '{file}'");
        var volume = PodSpec(workload)["volumes"]!.AsArray().OfType<JsonObject>().Single(v => (string?)v["name"] == (string?)mount["name"]);
        return (mount, volume);
    }

    public static string? Env(JsonObject container, string name) =>
        container["env"]?.AsArray().OfType<JsonObject>().FirstOrDefault(e => (string?)e["name"] == name)?["value"]?.ToString();
}
