namespace Mesh.Cni;

/// <summary>
/// Entry point. Exec'd by the container runtime (no arguments): environment and stdin in, one JSON answer on stdout,
/// exit code 0 or 1. <c>mesh-cni install ...</c>: the node DaemonSet's installer (<see cref="Install.CniInstaller"/>).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["install", .. var rest])
        {
            return Install.CniInstaller.Run(rest);
        }
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
