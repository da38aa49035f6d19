namespace Mesh.Tests.E2E;

/// <summary>A test of the kind run: skipped unless kind-config/kind-test.sh started it (it sets MESH_E2E_NAMESPACE).</summary>
public sealed class E2EFactAttribute : FactAttribute
{
    public E2EFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(KindCluster.NamespaceVariable)))
        {
            Skip = $"runs only in make kind-test (needs a kind cluster with the mesh installed and {KindCluster.NamespaceVariable})";
        }
    }
}
