using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>One page of a paginated list: its items, the list's resourceVersion and the continue token (null on the last page).</summary>
public sealed record KubeListPage(IReadOnlyList<JsonObject> Items, string ResourceVersion, string? Continue);
