// Placeholder entry point; replaced as the component is built.
namespace Mesh.Waypoint;

internal static class Program
{
    public static int Main()
    {
        Console.Error.WriteLine("waypoint: not built yet");
        return 1;
    }
}
