namespace Mesh.Core.Model;

/// <summary>A Kubernetes object reference: namespace and name.</summary>
public readonly record struct NamespacedName(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}
