using System.Text.Json.Serialization;

namespace Mesh.Core.Discovery;

/// <summary>
/// What a (re)connecting proxy says it holds: the epoch and version of its last message, and the hash of
/// every resource it has, by kind and key. The server answers with only what differs (from its history
/// when epoch and version are known to it, else by comparing hashes), or a full state when that is cheaper.
/// A first connection sends an empty request.
/// </summary>
public sealed record DiscoveryRequest
{
    [JsonPropertyName("epoch")] public string? Epoch { get; init; }
    [JsonPropertyName("version")] public long Version { get; init; }
    /// <summary>kind -> key -> hash (hex).</summary>
    [JsonPropertyName("have")] public Dictionary<string, Dictionary<string, string>>? Have { get; init; }
}
