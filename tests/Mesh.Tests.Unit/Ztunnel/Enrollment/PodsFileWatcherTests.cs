using Mesh.Ztunnel.Enrollment;

namespace Mesh.Tests.Unit.Ztunnel.Enrollment;

public sealed class PodsFileWatcherTests : IDisposable
{
    // A bound on waiting for inotify, not a timing assertion: the events arrive in milliseconds.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mesh-podswatch-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string PodsFile => Path.Combine(_folder, "pods.json");

    [Fact]
    public void TryWatch_FolderMissing_FalseUntilItExists()
    {
        using var watcher = new PodsFileWatcher(PodsFile);

        Assert.False(watcher.TryWatch());
        Assert.False(watcher.Watching);
        Directory.CreateDirectory(_folder);
        Assert.True(watcher.TryWatch());
        Assert.True(watcher.Watching);
    }

    [Fact]
    public async Task Changed_AtomicReplaceByRename_Completes()
    {
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(PodsFile, "[]");
        using var watcher = new PodsFileWatcher(PodsFile);
        Assert.True(watcher.TryWatch());
        var changed = watcher.Changed;

        var temp = Path.Combine(_folder, ".pods.json.tmp1");
        await File.WriteAllTextAsync(temp, "[{\"uid\":\"a/b\"}]");
        File.Move(temp, PodsFile, overwrite: true);

        await changed.WaitAsync(Patience);
    }

    [Fact]
    public async Task Changed_FileCreated_Completes()
    {
        Directory.CreateDirectory(_folder);
        using var watcher = new PodsFileWatcher(PodsFile);
        Assert.True(watcher.TryWatch());
        var changed = watcher.Changed;

        await File.WriteAllTextAsync(PodsFile, "[]");

        await changed.WaitAsync(Patience);
    }

    [Fact]
    public async Task Changed_FileDeleted_Completes()
    {
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(PodsFile, "[]");
        using var watcher = new PodsFileWatcher(PodsFile);
        Assert.True(watcher.TryWatch());
        var changed = watcher.Changed;

        File.Delete(PodsFile);

        await changed.WaitAsync(Patience);
    }

    [Fact]
    public void TryWatch_AfterDispose_False()
    {
        Directory.CreateDirectory(_folder);
        var watcher = new PodsFileWatcher(PodsFile);
        watcher.Dispose();

        Assert.False(watcher.TryWatch());
    }
}
