namespace Mesh.Lab.Model;

/// <summary>An object the lab does not interpret (Gateway, HTTPRoute, AuthorizationPolicy, ...): copied to the cluster folder as is.</summary>
public sealed record LabObject(string ApiVersion, string Kind, string? Namespace, string Name, string Yaml);
