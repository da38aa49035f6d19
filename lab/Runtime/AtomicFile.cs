namespace Mesh.Lab.Runtime;

/// <summary>Writes a file so readers see the old or the new content, never a half-written one.</summary>
internal static class AtomicFile
{
    public static void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp{Environment.ProcessId}");
        File.WriteAllText(tmp, content);
        File.Move(tmp, path, overwrite: true);
    }
}
