using System.Collections.Immutable;
using Mesh.Lab.Model;
using YamlDotNet.RepresentationModel;

namespace Mesh.Lab.Parsing;

/// <summary>Reads a Pod: metadata, spec.nodeName, spec.serviceAccountName, container 0's command, args and env.</summary>
internal static class PodReader
{
    public static LabPod Read(ObjectReader r)
    {
        var meta = r.ReadMetadata(namespaced: true, podName: true);
        var labels = r.StringMap(meta, "labels", "metadata.labels");
        var spec = r.Mapping(r.Root, "spec", "spec") ?? throw r.Fail("spec", "missing; a Pod needs spec.nodeName and spec.containers");
        var node = r.String(spec, "nodeName", "spec.nodeName");
        if (string.IsNullOrEmpty(node))
        {
            throw r.Fail("spec.nodeName", "missing; the lab does not schedule, so say which node runs the pod (e.g. nodeName: node1)");
        }
        if (!KubeNames.IsLabel(node))
        {
            throw r.Fail("spec.nodeName", $"'{node}' is not a valid node name; use lowercase letters, digits and '-'");
        }
        var sa = r.String(spec, "serviceAccountName", "spec.serviceAccountName") ?? "default";
        if (!KubeNames.IsSubdomain(sa))
        {
            throw r.Fail("spec.serviceAccountName", $"'{sa}' is not a valid service account name; use lowercase letters, digits and '-'");
        }
        var containers = r.Sequence(spec, "containers", "spec.containers");
        if (containers is null || containers.Children.Count == 0)
        {
            throw r.Fail("spec.containers", "missing; add one container with a command, e.g. containers: [{name: app, command: [sleep, infinity]}]");
        }
        if (containers.Children.Count > 1)
        {
            throw r.Fail("spec.containers", $"has {containers.Children.Count} containers; the lab runs one command per pod, so keep one container");
        }
        if (containers.Children[0] is not YamlMappingNode c)
        {
            throw r.Fail("spec.containers[0]", "must be a mapping with command and args");
        }
        var command = Strings(r, c, "command", "spec.containers[0].command");
        if (command.IsEmpty)
        {
            throw r.Fail("spec.containers[0].command", "missing; the lab runs a command instead of an image, e.g. command: [sleep, infinity]");
        }
        var args = Strings(r, c, "args", "spec.containers[0].args");
        return new LabPod(r.Namespace!, r.Name!, node, sa, labels, command.AddRange(args), Env(r, c), r.Line, YamlText.Emit(r.Root));
    }

    private static ImmutableArray<string> Strings(ObjectReader r, YamlMappingNode c, string key, string field)
    {
        var node = r.Get(c, key);
        return node switch
        {
            null => [],
            YamlSequenceNode s => [.. s.Children.Select((x, i) => x is YamlScalarNode v && v.Value is not null
                ? v.Value
                : throw r.Fail($"{field}[{i}]", "must be a string"))],
            _ => throw r.Fail(field, "must be a list of strings, e.g. [sleep, infinity]"),
        };
    }

    private static ImmutableArray<KeyValuePair<string, string>> Env(ObjectReader r, YamlMappingNode c)
    {
        var env = r.Sequence(c, "env", "spec.containers[0].env");
        if (env is null)
        {
            return [];
        }
        var b = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        for (var i = 0; i < env.Children.Count; i++)
        {
            var field = $"spec.containers[0].env[{i}]";
            if (env.Children[i] is not YamlMappingNode e)
            {
                throw r.Fail(field, "must be a mapping with name and value");
            }
            var name = r.RequiredString(e, "name", field + ".name", "give every env entry a name");
            if (r.Get(e, "valueFrom") is not null)
            {
                throw r.Fail(field + ".valueFrom", "is not supported in the lab; use value (POD_NAME, POD_NAMESPACE, POD_IP, NODE_NAME are set for you)");
            }
            b.Add(new(name, r.String(e, "value", field + ".value") ?? ""));
        }
        return b.ToImmutable();
    }
}
