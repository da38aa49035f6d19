using System.Collections.Immutable;
using System.Net;
using Mesh.Lab.Model;
using Mesh.Lab.Planning;
using YamlDotNet.RepresentationModel;

namespace Mesh.Lab.Parsing;

/// <summary>Reads a Service: selector, ports (port/targetPort numbers), optional clusterIP inside the lab's VIP range.</summary>
internal static class ServiceReader
{
    public static LabService Read(ObjectReader r)
    {
        var meta = r.ReadMetadata(namespaced: true, podName: false);
        var labels = r.StringMap(meta, "labels", "metadata.labels");
        var spec = r.Mapping(r.Root, "spec", "spec") ?? throw r.Fail("spec", "missing; a Service needs spec.ports");
        var selector = r.StringMap(spec, "selector", "spec.selector");
        var portsNode = r.Sequence(spec, "ports", "spec.ports");
        if (portsNode is null || portsNode.Children.Count == 0)
        {
            throw r.Fail("spec.ports", "missing; add at least one port, e.g. ports: [{port: 80, targetPort: 8080}]");
        }
        var ports = ImmutableArray.CreateBuilder<LabServicePort>();
        for (var i = 0; i < portsNode.Children.Count; i++)
        {
            var field = $"spec.ports[{i}]";
            if (portsNode.Children[i] is not YamlMappingNode p)
            {
                throw r.Fail(field, "must be a mapping with port and targetPort");
            }
            var port = r.Port(p, "port", field + ".port") ?? throw r.Fail(field + ".port", "missing; add the port clients connect to");
            var target = r.Port(p, "targetPort", field + ".targetPort") ?? port;
            var protocol = r.String(p, "protocol", field + ".protocol") ?? "TCP";
            if (protocol != "TCP")
            {
                throw r.Fail(field + ".protocol", $"'{protocol}' is not supported; the mesh carries TCP only, remove it or use TCP");
            }
            var name = r.String(p, "name", field + ".name");
            if (ports.Any(x => x.Port == port))
            {
                throw r.Fail(field + ".port", $"{port} is listed twice; give each service port once");
            }
            ports.Add(new LabServicePort(name, port, target, protocol, r.String(p, "appProtocol", field + ".appProtocol")));
        }
        IPAddress? vip = null;
        var headless = false;
        var clusterIp = r.String(spec, "clusterIP", "spec.clusterIP");
        if (clusterIp is "None")
        {
            headless = true;
        }
        else if (!string.IsNullOrEmpty(clusterIp))
        {
            if (!IPAddress.TryParse(clusterIp, out vip) || !LabAddresses.IsServiceVip(vip))
            {
                throw r.Fail("spec.clusterIP", $"'{clusterIp}' is outside the lab's service range {LabAddresses.ServiceRange}; remove it to get one allocated or pick one inside");
            }
        }
        return new LabService(r.Namespace!, r.Name!, labels, selector, ports.ToImmutable(), vip, headless, r.Line, YamlText.Emit(r.Root));
    }
}
