using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mesh.Core.Discovery;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Discovery;

/// <summary>Serializes a <see cref="MeshState"/> into wire entries (pure).</summary>
public static class ResourceSerializer
{
    public static Dictionary<ResourceId, ResourceEntry> Entries(MeshState state)
    {
        var entries = new Dictionary<ResourceId, ResourceEntry>(state.Workloads.Length + state.Services.Length + 64);
        foreach (var w in state.Workloads)
        {
            var full = JsonSerializer.SerializeToUtf8Bytes(w, DiscoveryJson.Context.Workload);
            var slim = w.Labels.IsEmpty ? full : JsonSerializer.SerializeToUtf8Bytes(w with { Labels = ImmutableDictionary<string, string>.Empty }, DiscoveryJson.Context.Workload);
            Add(entries, new ResourceEntry(new ResourceId(DiscoveryWire.Workloads, w.Uid), w.Node, full, ResourceHash.Compute(full), slim, ResourceHash.Compute(slim)));
        }
        foreach (var s in state.Services)
        {
            Add(entries, DiscoveryWire.Services, s.Key.ToString(), s, DiscoveryJson.Context.Service);
        }
        foreach (var wp in state.Waypoints)
        {
            Add(entries, DiscoveryWire.Waypoints, wp.Key.ToString(), wp, DiscoveryJson.Context.Waypoint);
        }
        foreach (var p in state.Policies)
        {
            Add(entries, DiscoveryWire.Policies, $"{p.Namespace}/{p.Name}", p, DiscoveryJson.Context.AuthorizationPolicy);
        }
        foreach (var r in state.HttpRoutes)
        {
            Add(entries, DiscoveryWire.HttpRoutes, r.ResourceName, r, DiscoveryJson.Context.HttpRoute);
        }
        foreach (var n in state.Namespaces)
        {
            Add(entries, DiscoveryWire.Namespaces, n.Name, n, DiscoveryJson.Context.MeshNamespace);
        }
        if (state.TrustBundle is { } bundle)
        {
            Add(entries, DiscoveryWire.TrustBundles, bundle.TrustDomain, bundle, DiscoveryJson.Context.TrustBundle);
        }
        return entries;
    }

    private static void Add<T>(Dictionary<ResourceId, ResourceEntry> entries, string kind, string key, T value, JsonTypeInfo<T> json)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, json);
        Add(entries, new ResourceEntry(new ResourceId(kind, key), null, bytes, ResourceHash.Compute(bytes), null, 0));
    }

    private static void Add(Dictionary<ResourceId, ResourceEntry> entries, ResourceEntry entry) => entries.TryAdd(entry.Id, entry);
}
