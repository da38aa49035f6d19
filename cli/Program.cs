namespace Mesh.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine($"meshctl: unknown command '{string.Join(' ', args)}'");
        return 2;
    }
}
