using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Mesh.Core.Discovery;

/// <summary>The client's copy of one resource kind: key -> (hash of its wire bytes, model record). One writer.</summary>
internal sealed class ResourceTable<T>(string kind, JsonTypeInfo<T> json, Func<T, string> keyOf) : IResourceTable where T : class
{
    private readonly Dictionary<string, (string Hash, T Value)> _items = new(StringComparer.Ordinal);

    public string Kind { get; } = kind;
    public IEnumerable<T> Values => _items.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.Value);

    public void Clear() => _items.Clear();

    public void Upsert(JsonElement element)
    {
        var hash = ResourceHash.Hex(ResourceHash.Compute(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element)));
        var value = element.Deserialize(json) ?? throw new JsonException($"null {Kind} resource");
        _items[keyOf(value)] = (hash, value);
    }

    public void Remove(string key) => _items.Remove(key);

    public Dictionary<string, string> Hashes() => _items.ToDictionary(kv => kv.Key, kv => kv.Value.Hash, StringComparer.Ordinal);
}

internal interface IResourceTable
{
    string Kind { get; }
    void Clear();
    void Upsert(JsonElement element);
    void Remove(string key);
    Dictionary<string, string> Hashes();
}
