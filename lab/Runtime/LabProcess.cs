namespace Mesh.Lab.Runtime;

/// <summary>A process the lab started on a node or in the fabric; <see cref="Lab.StopProcessAsync"/> stops it, down kills it.</summary>
public sealed record LabProcess(string Name, string Where, int Pid, string LogPath);
