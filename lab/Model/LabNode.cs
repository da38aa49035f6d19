using System.Collections.Immutable;

namespace Mesh.Lab.Model;

/// <summary>A node: declared by a <c>kind: Node</c> document or implied by a pod's spec.nodeName.</summary>
public sealed record LabNode(string Name, ImmutableSortedDictionary<string, string> Labels);
