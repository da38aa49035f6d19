namespace Mesh.Ztunnel.Enrollment;

/// <summary>
/// Tells the reconciler when the node's pod report may have changed, without polling: an inotify watch
/// (<see cref="FileSystemWatcher"/>) on the report's folder, filtered on its file name, so an atomic replace
/// (write a temp file, rename it over the report) is seen as well as an in-place write or a delete. The folder
/// may not exist yet: <see cref="TryWatch"/> is called again at every pass until it does. A watch error (inotify
/// queue overflow, folder removed) drops the watch and wakes the reconciler, which rereads and watches again.
/// </summary>
public sealed class PodsFileWatcher : IDisposable
{
    private readonly string _folder;
    private readonly string _name;
    private readonly Lock _lock = new();
    private FileSystemWatcher? _watcher;
    private volatile TaskCompletionSource _changed = NewSignal();
    private bool _disposed;

    public PodsFileWatcher(string podsFile)
    {
        var full = Path.GetFullPath(podsFile);
        _folder = Path.GetDirectoryName(full) ?? "/";
        _name = Path.GetFileName(full);
    }

    /// <summary>Completes at the next change of the report (or watch error) after the call.</summary>
    public Task Changed => _changed.Task;

    /// <summary>True while the folder is watched; otherwise the caller has to poll.</summary>
    public bool Watching
    {
        get
        {
            lock (_lock)
            {
                return _watcher is not null;
            }
        }
    }

    /// <summary>Starts the watch if it is not running; false when it cannot (the folder does not exist yet).</summary>
    public bool TryWatch()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }
            if (_watcher is not null)
            {
                return true;
            }
            if (!Directory.Exists(_folder))
            {
                return false;
            }
            var watcher = new FileSystemWatcher(_folder)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
                IncludeSubdirectories = false,
            };
            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Deleted += OnEvent;
            watcher.Renamed += OnRenamed;
            watcher.Error += OnError;
            try
            {
                watcher.EnableRaisingEvents = true;
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                watcher.Dispose();
                return false;
            }
            _watcher = watcher;
            return true;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(e.Name, _name, StringComparison.Ordinal))
        {
            Signal();
        }
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        if (string.Equals(e.Name, _name, StringComparison.Ordinal) || string.Equals(e.OldName, _name, StringComparison.Ordinal))
        {
            Signal();
        }
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_watcher, sender))
            {
                _watcher.Dispose();
                _watcher = null;
            }
        }
        Signal();
    }

    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
