using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Mesh.Core;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// Pod -> Workload. Uid is metadata.uid, or "&lt;namespace&gt;/&lt;name&gt;" when absent (the lab).
/// Captured when the namespace (or the pod itself) is labelled ambient and the pod is not labelled none
/// and is not on the host network. Finished pods (Succeeded/Failed) and unscheduled pods are left out.
/// </summary>
internal static class PodTranslator
{
    public static Workload? Translate(ObjectMeta meta, JsonObject obj, TranslationContext ctx)
    {
        var spec = JsonFields.Object(obj, "spec", "spec");
        var status = JsonFields.Object(obj, "status", "status");
        var phase = JsonFields.String(status, "phase", "status.phase");
        if (phase is "Succeeded" or "Failed")
        {
            return null;
        }
        var node = JsonFields.String(spec, "nodeName", "spec.nodeName");
        if (string.IsNullOrEmpty(node))
        {
            return null;
        }
        var sa = JsonFields.String(spec, "serviceAccountName", "spec.serviceAccountName")
            ?? JsonFields.String(spec, "serviceAccount", "spec.serviceAccount") ?? "default";
        var hostNetwork = JsonFields.Bool(spec, "hostNetwork", "spec.hostNetwork") ?? false;

        var addresses = new List<IPAddress>();
        var podIps = JsonFields.Array(status, "podIPs", "status.podIPs");
        if (podIps is not null)
        {
            for (var i = 0; i < podIps.Count; i++)
            {
                var entry = podIps[i] as JsonObject ?? throw new TranslationException($"status.podIPs[{i}]", "expected an object with 'ip'");
                AddAddress(addresses, JsonFields.String(entry, "ip", $"status.podIPs[{i}].ip"), $"status.podIPs[{i}].ip");
            }
        }
        AddAddress(addresses, JsonFields.String(status, "podIP", "status.podIP"), "status.podIP");

        var nsLabels = ctx.LabelsOf(meta.Namespace);
        var captured = !hostNetwork && IsCaptured(meta.Labels, nsLabels);
        return new Workload
        {
            Uid = string.IsNullOrEmpty(meta.Uid) ? $"{meta.Namespace}/{meta.Name}" : meta.Uid,
            Name = meta.Name,
            Namespace = meta.Namespace,
            ServiceAccount = sa,
            Node = node,
            Addresses = [.. addresses],
            Labels = meta.Labels,
            Captured = captured,
            // A waypoint's own pods never go through a waypoint (that would loop).
            Waypoint = meta.Labels.ContainsKey(GatewayTranslator.GatewayNameLabel) ? null : WaypointLabel.Resolve(meta.Namespace, meta.Labels, nsLabels),
            TrustDomain = ctx.Options.TrustDomain,
        };
    }

    public static bool IsCaptured(ImmutableDictionary<string, string> podLabels, ImmutableDictionary<string, string> nsLabels)
    {
        if (podLabels.TryGetValue(MeshLabels.DataplaneMode, out var podMode))
        {
            if (podMode == MeshLabels.DataplaneModeNone)
            {
                return false;
            }
            if (podMode == MeshLabels.DataplaneModeAmbient)
            {
                return true;
            }
        }
        return nsLabels.TryGetValue(MeshLabels.DataplaneMode, out var nsMode) && nsMode == MeshLabels.DataplaneModeAmbient;
    }

    private static void AddAddress(List<IPAddress> addresses, string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        if (!IPAddress.TryParse(text, out var ip))
        {
            throw new TranslationException(field, $"'{text}' is not an IP address");
        }
        if (!addresses.Contains(ip))
        {
            addresses.Add(ip);
        }
    }

    /// <summary>The containerPort named <paramref name="name"/> in the pod's containers, if any.</summary>
    public static int? NamedPort(JsonObject pod, string name)
    {
        if (pod["spec"]?["containers"] is not JsonArray containers)
        {
            return null;
        }
        foreach (var c in containers)
        {
            if (c?["ports"] is not JsonArray ports)
            {
                continue;
            }
            foreach (var p in ports)
            {
                if (p is JsonObject po && po["name"]?.GetValueKind() == System.Text.Json.JsonValueKind.String &&
                    po["name"]!.GetValue<string>() == name)
                {
                    return (int?)JsonFields.Integer(po, "containerPort", "containerPort");
                }
            }
        }
        return null;
    }
}
