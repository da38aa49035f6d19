namespace Mesh.Lab.Runtime;

/// <summary>An exclusive advisory lock on a file (flock through FileShare.None), waited for with a deadline.</summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, ct);
            }
            catch (IOException e)
            {
                throw new LabException($"another meshctl holds {path} for more than {timeout.TotalSeconds:0} s; wait for it or check for a hung process", e);
            }
        }
    }

    public static FileLock Acquire(string path, TimeSpan timeout) =>
        AcquireAsync(path, timeout).GetAwaiter().GetResult();

    public void Dispose() => _stream.Dispose();
}
