using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Core.Identity;
using Mesh.Core.Model;

namespace Mesh.Core.Discovery;

/// <summary>The source-generated serializers of every type on the discovery wire (see <see cref="DiscoveryJson"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    IgnoreReadOnlyProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    Converters = [typeof(IpAddressJsonConverter), typeof(NamespacedNameJsonConverter)])]
[JsonSerializable(typeof(Workload))]
[JsonSerializable(typeof(Service))]
[JsonSerializable(typeof(Waypoint))]
[JsonSerializable(typeof(AuthorizationPolicy))]
[JsonSerializable(typeof(HttpRoute))]
[JsonSerializable(typeof(MeshNamespace))]
[JsonSerializable(typeof(TrustBundle))]
[JsonSerializable(typeof(DiscoveryRequest))]
public sealed partial class DiscoveryJsonContext : JsonSerializerContext;
