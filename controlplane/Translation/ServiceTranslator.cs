using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// Service -> Service. Addresses from spec.clusterIPs (or spec.clusterIP; "None" = headless, no VIP).
/// Endpoints: from the service's EndpointSlices when there are any, else the pods its selector matches.
/// targetPort defaults to port; a named targetPort is resolved from the first endpoint pod declaring it.
/// ExternalName services have no endpoints in the mesh and are left out. spec.trafficDistribution PreferClose is kept
/// for ztunnel's balancer (prefer the client's node). The <c>balancer.mesh.dev/failure-accrual*</c> annotations set the
/// waypoint's circuit breaking of its endpoints (<see cref="FailureAccrualAnnotations"/>).
/// </summary>
internal static class ServiceTranslator
{
    public static Service? Translate(ObjectMeta meta, JsonObject obj, TranslationContext ctx,
        IReadOnlyDictionary<NamespacedName, List<string>> sliceEndpoints)
    {
        var spec = JsonFields.Object(obj, "spec", "spec") ?? throw new TranslationException("spec", "spec is required");
        if (JsonFields.String(spec, "type", "spec.type") == "ExternalName")
        {
            return null;
        }
        var addresses = new List<IPAddress>();
        var ips = JsonFields.StringList(spec, "clusterIPs", "spec.clusterIPs");
        if (ips.IsEmpty && JsonFields.String(spec, "clusterIP", "spec.clusterIP") is { Length: > 0 } single)
        {
            ips = [single];
        }
        foreach (var text in ips)
        {
            if (text == "None")
            {
                continue;
            }
            if (!IPAddress.TryParse(text, out var ip))
            {
                throw new TranslationException("spec.clusterIP", $"'{text}' is not an IP address");
            }
            addresses.Add(ip);
        }

        var selector = JsonFields.StringMap(spec, "selector", "spec.selector");
        var selected = selector.IsEmpty
            ? []
            : ctx.Select(meta.Namespace, selector).ToList();
        var key = new NamespacedName(meta.Namespace, meta.Name);
        var endpoints = sliceEndpoints.TryGetValue(key, out var fromSlices)
            ? fromSlices
            : selected.Select(p => p.Workload.Uid).ToList();

        var ports = ImmutableArray.CreateBuilder<ServicePort>();
        var portList = JsonFields.Array(spec, "ports", "spec.ports");
        for (var i = 0; i < (portList?.Count ?? 0); i++)
        {
            var path = $"spec.ports[{i}]";
            var p = portList![i] as JsonObject ?? throw new TranslationException(path, "expected an object");
            var port = JsonFields.Port(p["port"], $"{path}.port");
            var protocol = JsonFields.String(p, "protocol", $"{path}.protocol") ?? "TCP";
            var target = p["targetPort"];
            int targetPort;
            if (target is null)
            {
                targetPort = port;
            }
            else if (target.GetValueKind() == JsonValueKind.String && !int.TryParse(target.GetValue<string>(), out _))
            {
                var name = target.GetValue<string>();
                targetPort = selected.Select(s => PodTranslator.NamedPort(s.Source, name)).FirstOrDefault(x => x is not null)
                    ?? throw new TranslationException($"{path}.targetPort", $"no endpoint pod declares a container port named '{name}'");
            }
            else
            {
                targetPort = JsonFields.Port(target, $"{path}.targetPort");
            }
            ports.Add(new ServicePort(port, targetPort, protocol));
        }

        return new Service
        {
            Name = meta.Name,
            Namespace = meta.Namespace,
            Addresses = [.. addresses],
            Ports = ports.ToImmutable(),
            Endpoints = [.. endpoints.Order(StringComparer.Ordinal)],
            Waypoint = WaypointLabel.Resolve(meta.Namespace, meta.Labels, ctx.LabelsOf(meta.Namespace)),
            TrafficDistribution = Distribution(JsonFields.String(spec, "trafficDistribution", "spec.trafficDistribution")),
            FailureAccrual = FailureAccrualAnnotations.Read(meta),
        };
    }

    /// <summary>
    /// Kubernetes' PreferClose (and the 1.34 spellings PreferSameZone, PreferSameNode): the mesh has no zones, so all
    /// three prefer the client's node. Anything else is the default, as Kubernetes asks of implementations.
    /// </summary>
    private static TrafficDistribution Distribution(string? value) => value switch
    {
        "PreferClose" or "PreferSameZone" or "PreferSameNode" => TrafficDistribution.PreferClose,
        _ => TrafficDistribution.Any,
    };
}
