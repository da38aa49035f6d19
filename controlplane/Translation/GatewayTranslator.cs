using System.Net;
using System.Text.Json.Nodes;
using Mesh.Core;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// Gateway (gatewayClassName mesh-waypoint) -> Waypoint. Addresses: status.addresses (type IPAddress) when
/// the Gateway has a status; otherwise the IPs of the pods that run it, found by the Gateway API label
/// <c>gateway.networking.k8s.io/gateway-name: NAME</c> in the Gateway's namespace (the lab has no
/// controller writing status). Identity: the service account of those pods, else the Gateway's name.
/// Gateways of other classes are not the mesh's and are ignored.
/// </summary>
internal static class GatewayTranslator
{
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

    public static Waypoint? Translate(ObjectMeta meta, JsonObject obj, TranslationContext ctx)
    {
        var spec = JsonFields.Object(obj, "spec", "spec") ?? throw new TranslationException("spec", "spec is required");
        if (JsonFields.String(spec, "gatewayClassName", "spec.gatewayClassName") != MeshLabels.WaypointGatewayClass)
        {
            return null;
        }
        var addresses = new List<IPAddress>();
        var statusAddresses = JsonFields.Array(JsonFields.Object(obj, "status", "status"), "addresses", "status.addresses");
        if (statusAddresses is not null)
        {
            for (var i = 0; i < statusAddresses.Count; i++)
            {
                var a = statusAddresses[i] as JsonObject ?? throw new TranslationException($"status.addresses[{i}]", "expected an object");
                var type = JsonFields.String(a, "type", $"status.addresses[{i}].type") ?? "IPAddress";
                var value = JsonFields.String(a, "value", $"status.addresses[{i}].value");
                if (type == "IPAddress")
                {
                    if (!IPAddress.TryParse(value, out var ip))
                    {
                        throw new TranslationException($"status.addresses[{i}].value", $"'{value}' is not an IP address");
                    }
                    addresses.Add(ip);
                }
            }
        }
        string? serviceAccount = null;
        foreach (var (pod, _) in ctx.Pods)
        {
            if (pod.Namespace == meta.Namespace && pod.Labels.TryGetValue(GatewayNameLabel, out var gw) && gw == meta.Name)
            {
                serviceAccount ??= pod.ServiceAccount;
                if (statusAddresses is null)
                {
                    addresses.AddRange(pod.Addresses.Where(a => !addresses.Contains(a)));
                }
            }
        }
        return new Waypoint
        {
            Name = meta.Name,
            Namespace = meta.Namespace,
            Addresses = [.. addresses],
            ServiceAccount = serviceAccount ?? meta.Name,
        };
    }
}
