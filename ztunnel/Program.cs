// Placeholder entry point; replaced as the component is built.
namespace Mesh.Ztunnel;

internal static class Program
{
    public static int Main()
    {
        Console.Error.WriteLine("ztunnel: not built yet");
        return 1;
    }
}
