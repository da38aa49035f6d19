using System.Collections.Immutable;

namespace Mesh.Lab.Model;

/// <summary>A Namespace of the lab file. <see cref="Declared"/> is false for a namespace a pod only refers to.</summary>
public sealed record LabNamespace(string Name, ImmutableSortedDictionary<string, string> Labels, bool Declared, string Yaml);
