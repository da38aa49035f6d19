// Placeholder entry point; replaced as the component is built.
namespace Mesh.Samples.Echo;

internal static class Program
{
    public static int Main()
    {
        Console.Error.WriteLine("echo: not built yet");
        return 1;
    }
}
