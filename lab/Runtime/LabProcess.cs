namespace Mesh.Lab.Runtime;

/// <summary>A process the lab started on a node or in the fabric; <see cref="Lab.StopProcessAsync"/> stops it, down kills it.</summary>
public sealed record LabProcess(string Name, string Where, int Pid, string LogPath)
{
    /// <summary>For a supervised process: the file with the running child's PID; <see cref="Pid"/> is the supervisor's.</summary>
    public string? PidFile { get; init; }

    /// <summary>The PID of the program itself: the supervised child's (null while none runs), else <see cref="Pid"/>.</summary>
    public int? ChildPid()
    {
        if (PidFile is null)
        {
            return Pid;
        }
        try
        {
            return int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) && Signal.Alive(pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
