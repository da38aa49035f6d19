namespace Mesh.ControlPlane.Hosting;

internal static class DiscoveryBenchmark
{
    public static Task<int> RunAsync(ControlPlaneOptions options) => Task.FromResult(1);
}
