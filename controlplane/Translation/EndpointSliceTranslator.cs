using System.Net;
using System.Text.Json.Nodes;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// EndpointSlice -> the workload uids behind a service (label kubernetes.io/service-name). Endpoints
/// with conditions.ready false are left out. An endpoint is matched to a workload by targetRef uid, then
/// targetRef name, then address; endpoints that match no pod (outside the mesh) are left out.
/// </summary>
internal static class EndpointSliceTranslator
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public static (NamespacedName Service, List<string> Uids)? Translate(ObjectMeta meta, JsonObject obj,
        IReadOnlyDictionary<string, Workload> byUid, IReadOnlyDictionary<NamespacedName, Workload> byName,
        IReadOnlyDictionary<IPAddress, Workload> byAddress)
    {
        if (!meta.Labels.TryGetValue(ServiceNameLabel, out var service))
        {
            throw new TranslationException("metadata.labels", $"an EndpointSlice needs the label {ServiceNameLabel}");
        }
        var uids = new List<string>();
        var endpoints = JsonFields.Array(obj, "endpoints", "endpoints");
        for (var i = 0; i < (endpoints?.Count ?? 0); i++)
        {
            var path = $"endpoints[{i}]";
            var ep = endpoints![i] as JsonObject ?? throw new TranslationException(path, "expected an object");
            if (JsonFields.Bool(JsonFields.Object(ep, "conditions", $"{path}.conditions"), "ready", $"{path}.conditions.ready") == false)
            {
                continue;
            }
            var target = JsonFields.Object(ep, "targetRef", $"{path}.targetRef");
            Workload? w = null;
            if (target is not null && (JsonFields.String(target, "kind", $"{path}.targetRef.kind") ?? "Pod") == "Pod")
            {
                var uid = JsonFields.String(target, "uid", $"{path}.targetRef.uid");
                var name = JsonFields.String(target, "name", $"{path}.targetRef.name");
                var ns = JsonFields.String(target, "namespace", $"{path}.targetRef.namespace") ?? meta.Namespace;
                if (uid is not null)
                {
                    byUid.TryGetValue(uid, out w);
                }
                if (w is null && name is not null)
                {
                    byName.TryGetValue(new NamespacedName(ns, name), out w);
                }
            }
            foreach (var a in JsonFields.StringList(ep, "addresses", $"{path}.addresses"))
            {
                if (!IPAddress.TryParse(a, out var ip))
                {
                    throw new TranslationException($"{path}.addresses", $"'{a}' is not an IP address");
                }
                if (w is null)
                {
                    byAddress.TryGetValue(ip, out w);
                }
            }
            if (w is not null && !uids.Contains(w.Uid))
            {
                uids.Add(w.Uid);
            }
        }
        return (new NamespacedName(meta.Namespace, service), uids);
    }
}
