using System.Text.Json;

namespace Mesh.Core.Discovery;

/// <summary>JSON of the model records on the wire: camelCase, computed properties left out, IPs and
/// namespaced names as strings, enums as names. Source-generated (<see cref="DiscoveryJsonContext"/>), so
/// the proxies run as Native AOT executables; <see cref="Options"/> resolves only the wire types.</summary>
public static class DiscoveryJson
{
    public static DiscoveryJsonContext Context => DiscoveryJsonContext.Default;

    public static JsonSerializerOptions Options => DiscoveryJsonContext.Default.Options;
}
