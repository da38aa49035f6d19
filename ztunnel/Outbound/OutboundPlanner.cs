using System.Net;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Ztunnel.Limits;

namespace Mesh.Ztunnel.Outbound;

/// <summary>
/// Decides where a captured outbound connection goes, from the mesh state only (no I/O):
/// <list type="bullet">
/// <item>a service VIP: through the service's waypoint if it has one, else to one endpoint (<see cref="EndpointPicker"/>:
/// least outstanding connections by power of two choices, the client's node first for PreferClose),
/// HBONE when the endpoint is captured, plain TCP to endpoint ip:targetPort when it is not;</item>
/// <item>a pod address: through the pod's waypoint if it has one, else HBONE when the pod is captured, plain TCP when not;</item>
/// <item>anything else (outside the mesh): plain TCP to the original destination.</item>
/// </list>
/// </summary>
public static class OutboundPlanner
{
    public const int HbonePort = 15008;

    /// <summary>Label Gateway API puts on a gateway's pods; identifies a waypoint's own workloads.</summary>
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

    /// <summary>
    /// The plan for a connection from <paramref name="source"/> to <paramref name="destination"/> (the endpoint read
    /// from the capture map; an IPv4-mapped address is folded to IPv4 once, here).
    /// </summary>
    public static OutboundPlan Plan(MeshState state, Workload source, IPEndPoint destination, Random random, IEndpointLoad? load = null)
    {
        var dst = destination.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(destination.Address.MapToIPv4(), destination.Port) : destination;
        if (state.ServicesByAddress.TryGetValue(dst.Address, out var service))
        {
            return PlanService(state, source, dst, service, random, load);
        }
        if (state.WorkloadsByAddress.TryGetValue(dst.Address, out var workload))
        {
            return PlanWorkload(state, source, dst, workload, random, load);
        }
        return new OutboundPlan.Passthrough { OriginalDestination = dst, Source = source, Dial = dst };
    }

    private static OutboundPlan PlanService(MeshState state, Workload source, IPEndPoint dst, Service service,
        Random random, IEndpointLoad? load)
    {
        if (!TryTargetPort(service, dst.Port, out var targetPort))
        {
            return Refuse(source, dst, RefusalReason.ServicePortNotFound, $"service {service.Namespace}/{service.Name} declares no port {dst.Port}")
                with { DestinationService = service };
        }
        if (service.Waypoint is { } waypointRef && !IsWaypointItself(state, source, waypointRef))
        {
            return PlanWaypoint(state, source, dst, waypointRef, random, load) with { DestinationService = service };
        }
        var candidates = Endpoints(state, service);
        if (candidates.Count == 0)
        {
            return Refuse(source, dst, RefusalReason.NoHealthyEndpoints, $"service {service.Namespace}/{service.Name} has no endpoint with an address")
                with { DestinationService = service };
        }
        var endpoint = EndpointPicker.Pick(candidates, random, load, source, service.TrafficDistribution);
        var endpointAddress = PickAddress(endpoint, dst.Address);
        if (!endpoint.Captured)
        {
            return new OutboundPlan.Passthrough
            {
                OriginalDestination = dst,
                Source = source,
                Dial = new IPEndPoint(endpointAddress, targetPort),
                DestinationWorkload = endpoint,
                DestinationService = service,
                Endpoint = endpoint,
            };
        }
        return new OutboundPlan.Hbone
        {
            OriginalDestination = dst,
            Source = source,
            Dial = new IPEndPoint(endpointAddress, HbonePort),
            Target = new IPEndPoint(endpointAddress, targetPort),
            ExpectedIdentity = endpoint.Identity,
            DestinationWorkload = endpoint,
            DestinationService = service,
            Endpoint = endpoint,
        };
    }

    private static OutboundPlan PlanWorkload(MeshState state, Workload source, IPEndPoint dst, Workload workload,
        Random random, IEndpointLoad? load)
    {
        if (workload.Waypoint is { } waypointRef && !IsWaypointItself(state, source, waypointRef))
        {
            return PlanWaypoint(state, source, dst, waypointRef, random, load) with { DestinationWorkload = workload };
        }
        if (!workload.Captured)
        {
            return new OutboundPlan.Passthrough
            {
                OriginalDestination = dst,
                Source = source,
                Dial = dst,
                DestinationWorkload = workload,
                Endpoint = workload,
            };
        }
        return new OutboundPlan.Hbone
        {
            OriginalDestination = dst,
            Source = source,
            Dial = new IPEndPoint(dst.Address, HbonePort),
            Target = dst,
            ExpectedIdentity = workload.Identity,
            DestinationWorkload = workload,
            Endpoint = workload,
        };
    }

    /// <summary>
    /// HBONE to the waypoint with the original ip:port as target. The waypoint's addresses may be pod addresses
    /// or a service VIP (balanced like any service). Its identity is that of its pod; when the pod is unknown, the
    /// Istio convention: service account named after the Gateway, in the Gateway's namespace.
    /// </summary>
    private static OutboundPlan PlanWaypoint(MeshState state, Workload source, IPEndPoint dst, NamespacedName waypointRef,
        Random random, IEndpointLoad? load)
    {
        var waypoint = FindWaypoint(state, waypointRef);
        if (waypoint is null || waypoint.Addresses.IsDefaultOrEmpty)
        {
            return Refuse(source, dst, RefusalReason.WaypointUnavailable,
                $"waypoint {waypointRef.Namespace}/{waypointRef.Name} {(waypoint is null ? "is not known" : "has no address")}");
        }
        var pods = new List<Workload>();
        foreach (var a in waypoint.Addresses)
        {
            var address = Normalize(a);
            if (state.ServicesByAddress.TryGetValue(address, out var service))
            {
                pods.AddRange(Endpoints(state, service));
            }
            else if (state.WorkloadsByAddress.TryGetValue(address, out var pod) && !pods.Contains(pod))
            {
                pods.Add(pod);
            }
        }
        IPAddress dial;
        SpiffeId identity;
        Workload? picked = null;
        if (pods.Count > 0)
        {
            picked = EndpointPicker.Pick(pods, random, load);
            dial = PickAddress(picked, dst.Address);
            identity = picked.Identity;
        }
        else
        {
            dial = Normalize(waypoint.Addresses[0]);
            identity = new SpiffeId(source.TrustDomain, waypoint.Namespace, waypoint.Name);
        }
        return new OutboundPlan.Hbone
        {
            OriginalDestination = dst,
            Source = source,
            Dial = new IPEndPoint(dial, HbonePort),
            Target = dst,
            ExpectedIdentity = identity,
            Waypoint = waypoint,
            Endpoint = picked,
        };
    }

    private static OutboundPlan.Refused Refuse(Workload source, IPEndPoint dst, RefusalReason reason, string detail) => new()
    {
        OriginalDestination = dst,
        Source = source,
        Reason = reason,
        Detail = detail,
    };

    private static bool TryTargetPort(Service service, int port, out int targetPort)
    {
        if (service.Ports.IsDefaultOrEmpty)
        {
            targetPort = port;
            return true;
        }
        foreach (var p in service.Ports)
        {
            if (p.Port == port)
            {
                targetPort = p.TargetPort == 0 ? p.Port : p.TargetPort;
                return true;
            }
        }
        targetPort = 0;
        return false;
    }

    private static List<Workload> Endpoints(MeshState state, Service service)
    {
        var list = new List<Workload>(service.Endpoints.Length);
        foreach (var uid in service.Endpoints)
        {
            if (state.WorkloadsByUid.TryGetValue(uid, out var w) && !w.Addresses.IsDefaultOrEmpty)
            {
                list.Add(w);
            }
        }
        return list;
    }

    private static Waypoint? FindWaypoint(MeshState state, NamespacedName key)
    {
        foreach (var w in state.Waypoints)
        {
            if (w.Key == key)
            {
                return w;
            }
        }
        return null;
    }

    /// <summary>True when the source is one of the waypoint's own pods: its traffic goes straight to the endpoint.</summary>
    private static bool IsWaypointItself(MeshState state, Workload source, NamespacedName waypointRef)
    {
        if (source.Namespace != waypointRef.Namespace)
        {
            return false;
        }
        if (source.Labels.TryGetValue(GatewayNameLabel, out var gw) && gw == waypointRef.Name)
        {
            return true;
        }
        var waypoint = FindWaypoint(state, waypointRef);
        if (waypoint is null)
        {
            return false;
        }
        foreach (var a in waypoint.Addresses)
        {
            var address = Normalize(a);
            if (source.Addresses.Any(s => Normalize(s).Equals(address)))
            {
                return true;
            }
            if (state.ServicesByAddress.TryGetValue(address, out var svc) && svc.Endpoints.Contains(source.Uid))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The endpoint address of the same family as the original destination, else its first one.</summary>
    private static IPAddress PickAddress(Workload workload, IPAddress like)
    {
        var family = Normalize(like).AddressFamily;
        foreach (var a in workload.Addresses)
        {
            var n = Normalize(a);
            if (n.AddressFamily == family)
            {
                return n;
            }
        }
        return Normalize(workload.Addresses[0]);
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
