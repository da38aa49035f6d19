namespace Mesh.Lab.Runtime;

/// <summary>The exit code and output of a command run by the lab (for example in a pod by <see cref="Lab.ExecInPodAsync"/>).</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;
}
