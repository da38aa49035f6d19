// Placeholder entry point; replaced as the component is built.
namespace Mesh.ControlPlane;

internal static class Program
{
    public static int Main()
    {
        Console.Error.WriteLine("controlplane: not built yet");
        return 1;
    }
}
