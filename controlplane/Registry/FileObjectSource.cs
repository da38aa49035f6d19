using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// The file registry: every *.yaml, *.yml and *.json file under a folder (multi-document YAML, kubectl
/// "List" documents), watched with a FileSystemWatcher (debounced) plus a periodic rescan as a safety
/// net. Each scan is diffed against the previous one and only changes are emitted, then Synced. A file
/// that does not parse (or exceeds <see cref="YamlLimits"/>) is reported with its position and skipped,
/// keeping its last good objects (a half-written file never deletes a cluster); every other file stays current. The lab writes its cluster to /run/mesh-lab/&lt;lab&gt;/cluster/.
/// </summary>
public sealed partial class FileObjectSource(string directory, ILogger<FileObjectSource> log, TimeProvider time) : IObjectSource
{
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan Rescan { get; init; } = TimeSpan.FromSeconds(10);
    public string Directory { get; } = Path.GetFullPath(directory);
    public string Name => $"file:{Directory}";

    public YamlLimits Limits { get; init; } = YamlLimits.Default;

    /// <summary>Each file as last parsed: unchanged files (modification time and size) are not parsed again.</summary>
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);

    public async IAsyncEnumerable<ObjectChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var watcher = new FileSystemWatcher(Directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.DirectoryName,
        };
        void Poke(object? _, FileSystemEventArgs __) => signal.Writer.TryWrite(true);
        watcher.Changed += Poke;
        watcher.Created += Poke;
        watcher.Deleted += Poke;
        watcher.Renamed += (s, e) => Poke(s, e);
        watcher.Error += (_, e) => { Log.WatcherError(log, Directory, e.GetException()); signal.Writer.TryWrite(true); };
        watcher.EnableRaisingEvents = true;

        _files.Clear();
        var previous = new Dictionary<ObjectKey, JsonObject>();
        yield return ObjectChange.Reset();
        while (!cancellationToken.IsCancellationRequested)
        {
            var (current, errors) = Scan();
            foreach (var e in errors)
            {
                yield return ObjectChange.Failed(e);
            }
            foreach (var (key, obj) in current)
            {
                if (!previous.TryGetValue(key, out var old) || !JsonNode.DeepEquals(old, obj))
                {
                    yield return ObjectChange.Upsert(key, obj);
                }
            }
            foreach (var key in previous.Keys.Where(k => !current.ContainsKey(k)))
            {
                yield return ObjectChange.Delete(key);
            }
            yield return ObjectChange.Synced();
            previous = current;

            // Wait for a change (then let the burst settle) or for the periodic rescan.
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(Rescan);
                try
                {
                    await signal.Reader.ReadAsync(timeout.Token);
                    await Task.Delay(Debounce, time, cancellationToken);
                    signal.Reader.TryRead(out _);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }
        }
    }

    /// <summary>
    /// Reads every file; a file that fails (malformed, over a <see cref="YamlLimits"/> limit, unreadable) is reported
    /// with its position and skipped, keeping its last good objects; the others are read as usual. Nothing a file holds
    /// can end the scan.
    /// </summary>
    private (Dictionary<ObjectKey, JsonObject> Objects, List<SourceError> Errors) Scan()
    {
        var objects = new Dictionary<ObjectKey, JsonObject>();
        var errors = new List<SourceError>();
        string[] files;
        try
        {
            files = [.. System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new SourceError($"cannot list the folder: {e.Message}; keeping what was read before", Directory));
            files = [.. _files.Keys];
        }
        foreach (var gone in _files.Keys.Where(f => !files.Contains(f)).ToList())
        {
            _files.Remove(gone);
        }
        foreach (var file in files)
        {
            if (!_files.TryGetValue(file, out var state))
            {
                _files[file] = state = new FileState();
            }
            Refresh(file, state);
            if (state.Error is { } error)
            {
                errors.Add(error);
            }
            for (var i = 0; i < state.LastGood.Count; i++)
            {
                if (ObjectKey.From(state.LastGood[i]) is not { } key)
                {
                    errors.Add(new SourceError($"document {i + 1} has no kind or metadata.name; skipped", file));
                    continue;
                }
                if (!objects.TryAdd(key, state.LastGood[i]))
                {
                    errors.Add(new SourceError($"{key} is defined twice; the first definition wins", file));
                }
            }
        }
        return (objects, errors);
    }

    /// <summary>Parses <paramref name="file"/> again when its modification time or size changed.</summary>
    private void Refresh(string file, FileState state)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var info = new FileInfo(file);
            var stamp = (info.LastWriteTimeUtc, stream.Length);
            if (state.Stamp == stamp)
            {
                return;
            }
            state.Stamp = stamp;
            if (stream.Length > Limits.MaxFileBytes)
            {
                state.Error = Skipped(state, file, 0, 0, $"the file is {stream.Length} bytes, more than the {Limits.MaxFileBytes} a registry file may have; split it");
                return;
            }
            using var reader = new StreamReader(stream);
            state.LastGood = YamlDocuments.Parse(reader, Limits);
            state.Error = null;
        }
        catch (YamlDocumentException e)
        {
            state.Error = Skipped(state, file, e.Line, e.Column, e.Reason);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever else a file can make a reader throw, it is that file's error, never the registry's.
            state.Error = Skipped(state, file, 0, 0, e is IOException or UnauthorizedAccessException ? $"cannot read: {e.Message}" : $"cannot read: {e.GetType().Name}: {e.Message}");
        }
    }

    private static SourceError Skipped(FileState state, string file, long line, long column, string reason) =>
        new($"{reason} (file skipped{(state.LastGood.Count > 0 ? "; its last good objects stay" : "")})", file, line, column);

    /// <summary>What the source knows of one file: when it was last parsed, its last good objects, its current error.</summary>
    private sealed class FileState
    {
        public (DateTime, long) Stamp { get; set; } = (DateTime.MinValue, -1);
        public List<JsonObject> LastGood { get; set; } = [];
        public SourceError? Error { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(4110, LogLevel.Warning, "file registry: watcher on {Directory} failed; rescanning")]
        public static partial void WatcherError(ILogger logger, string directory, Exception exception);
    }
}
