namespace Mesh.Tests.Common;

/// <summary>One request the <see cref="FakeKubeApiServer"/> received: path and query parameters.</summary>
public sealed record FakeKubeRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? User)
{
    public bool IsWatch => Query.TryGetValue("watch", out var w) && w == "true";

    public string? Get(string name) => Query.GetValueOrDefault(name);
}
