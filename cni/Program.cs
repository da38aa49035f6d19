namespace Mesh.Cni;

/// <summary>Entry point: environment and stdin in, one JSON answer on stdout, exit code 0 or 1.</summary>
internal static class Program
{
    public static int Main()
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        if (Console.IsInputRedirected)
        {
            stdin.CopyTo(buffer);
        }
        using var stdout = Console.OpenStandardOutput();
        return CniPlugin.Run(Environment.GetEnvironmentVariable, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), stdout);
    }
}
