using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Mesh.Core.Discovery;

/// <summary>JSON of the model records on the wire: camelCase, computed properties left out, IPs and
/// namespaced names as strings, enums as names. Source-generated (<see cref="DiscoveryJsonContext"/>), so
/// the proxies run as Native AOT executables; <see cref="Options"/> resolves only the wire types.</summary>
public static class DiscoveryJson
{
    private static readonly JsonSerializerOptions StrictOptions = CreateStrict();

    public static DiscoveryJsonContext Context => DiscoveryJsonContext.Default;

    public static JsonSerializerOptions Options => DiscoveryJsonContext.Default.Options;

    /// <summary>
    /// What a proxy reads with: every property that cannot be null or empty-by-default must be present. The generated
    /// readers set a missing init-only property to default (null, a default ImmutableArray), not to the record's own
    /// initializer, so a resource missing one is refused as malformed instead of crashing its reader later (found by
    /// fuzzing: a workload without "addresses").
    /// </summary>
    public static JsonTypeInfo<T> Strict<T>() => (JsonTypeInfo<T>)StrictOptions.GetTypeInfo(typeof(T));

    private static JsonSerializerOptions CreateStrict()
    {
        var o = new JsonSerializerOptions(DiscoveryJsonContext.Default.Options)
        {
            TypeInfoResolver = DiscoveryJsonContext.Default.WithAddedModifier(RequireWhatHasNoDefault),
        };
        o.MakeReadOnly();
        return o;
    }

    private static void RequireWhatHasNoDefault(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        foreach (var p in type.Properties)
        {
            if (p.Set is null)
            {
                continue;
            }
            var t = p.PropertyType;
            var immutable = t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(ImmutableArray<>)
                || t.GetGenericTypeDefinition() == typeof(ImmutableDictionary<,>)
                || t.GetGenericTypeDefinition() == typeof(ImmutableSortedDictionary<,>));
            if (immutable || (!t.IsValueType && !p.IsSetNullable))
            {
                p.IsRequired = true;
            }
        }
    }
}
