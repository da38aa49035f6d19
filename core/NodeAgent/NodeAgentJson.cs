using System.Text.Json.Serialization;

namespace Mesh.Core.NodeAgent;

/// <summary>Source-generated JSON for the node agent's wire (no reflection: the plugin is Native AOT-clean).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CniPodRequest))]
[JsonSerializable(typeof(CniPodAnswer))]
[JsonSerializable(typeof(NamespaceEnrollment))]
public sealed partial class NodeAgentJson : JsonSerializerContext;
