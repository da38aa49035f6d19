using Mesh.Lab.Parsing;
using Mesh.Lab.Planning;
using YamlDotNet.RepresentationModel;

namespace Mesh.Lab.Runtime;

/// <summary>
/// Writes the cluster folder the control plane's file registry reads: one YAML file per object,
/// <c>&lt;kind&gt;.&lt;namespace&gt;.&lt;name&gt;.yaml</c> (cluster-scoped: <c>&lt;kind&gt;.&lt;name&gt;.yaml</c>), with
/// status.podIP, spec.nodeName and spec.clusterIP filled in. Every write is atomic (temp file + rename).
/// </summary>
internal static class ClusterWriter
{
    public static string FileName(string kind, string? ns, string name) =>
        ns is null ? $"{kind.ToLowerInvariant()}.{name}.yaml" : $"{kind.ToLowerInvariant()}.{ns}.{name}.yaml";

    public static void WriteAll(LabPlan plan)
    {
        Directory.CreateDirectory(plan.ClusterDir);
        foreach (var ns in plan.File.Namespaces)
        {
            AtomicFile.Write(Path.Combine(plan.ClusterDir, FileName("Namespace", null, ns.Name)), ns.Yaml);
        }
        foreach (var p in plan.Pods)
        {
            WritePod(plan.ClusterDir, p, plan.Nodes.First(n => n.Name == p.NodeName).Ip, p.Ip);
        }
        foreach (var s in plan.Services)
        {
            var root = YamlText.ParseMapping(s.Service.Yaml);
            YamlText.Set(YamlText.Child(root, "metadata"), "namespace", s.Namespace);
            YamlText.Set(YamlText.Child(root, "spec"), "clusterIP", s.ClusterIp ?? "None");
            AtomicFile.Write(Path.Combine(plan.ClusterDir, FileName("Service", s.Namespace, s.Name)), YamlText.Emit(root));
        }
        foreach (var o in plan.File.Others)
        {
            AtomicFile.Write(Path.Combine(plan.ClusterDir, FileName(o.Kind, o.Namespace, o.Name)), o.Yaml);
        }
    }

    /// <summary>
    /// Writes a Pod with its uid, node and host IP; <paramref name="podIp"/> null is a pod whose sandbox is being set up
    /// (the API server knows it, without an address, while the CNI chain runs).
    /// </summary>
    public static void WritePod(string clusterDir, PodPlan p, string hostIp, string? podIp)
    {
        var root = YamlText.ParseMapping(p.Pod.Yaml);
        var meta = YamlText.Child(root, "metadata");
        YamlText.Set(meta, "namespace", p.Namespace);
        YamlText.Set(meta, "uid", p.KubeUid);
        YamlText.Set(YamlText.Child(root, "spec"), "nodeName", p.NodeName);
        var status = YamlText.Child(root, "status");
        YamlText.Set(status, "phase", podIp is null ? "Pending" : "Running");
        YamlText.Set(status, "hostIP", hostIp);
        if (podIp is not null)
        {
            YamlText.Set(status, "podIP", podIp);
            var ip = new YamlMappingNode();
            YamlText.Set(ip, "ip", podIp);
            status.Children[new YamlScalarNode("podIPs")] = new YamlSequenceNode(ip);
        }
        Directory.CreateDirectory(clusterDir);
        AtomicFile.Write(Path.Combine(clusterDir, FileName("Pod", p.Namespace, p.Name)), YamlText.Emit(root));
    }

    public static void RemovePod(string clusterDir, string ns, string name) => File.Delete(Path.Combine(clusterDir, FileName("Pod", ns, name)));

    /// <summary>Writes a Namespace (<c>lab apply</c>): a declared one replaces the file, an implied one only fills a gap.</summary>
    public static void WriteNamespace(string clusterDir, Model.LabNamespace ns)
    {
        var path = Path.Combine(clusterDir, FileName("Namespace", null, ns.Name));
        if (ns.Declared || !File.Exists(path))
        {
            AtomicFile.Write(path, ns.Yaml);
        }
    }

    /// <summary>Sets (value not null) or removes a label of a Namespace object in the cluster folder.</summary>
    public static void SetNamespaceLabel(string clusterDir, string ns, string key, string? value)
    {
        var path = Path.Combine(clusterDir, FileName("Namespace", null, ns));
        if (!File.Exists(path))
        {
            throw new LabException($"namespace '{ns}' is not in this lab ({path} does not exist); check the name with 'meshctl lab status'");
        }
        var root = YamlText.ParseMapping(File.ReadAllText(path));
        var labels = YamlText.Child(YamlText.Child(root, "metadata"), "labels");
        if (value is null)
        {
            labels.Children.Remove(new YamlScalarNode(key));
        }
        else
        {
            YamlText.Set(labels, key, value);
        }
        AtomicFile.Write(path, YamlText.Emit(root));
    }
}
