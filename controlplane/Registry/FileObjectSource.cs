using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// The file registry: every *.yaml, *.yml and *.json file under a folder (multi-document YAML, kubectl
/// "List" documents), watched with a FileSystemWatcher (debounced) plus a periodic rescan as a safety
/// net. Each scan is diffed against the previous one and only changes are emitted, then Synced. A file
/// that does not parse keeps its last good objects and is reported as an error (a half-written file
/// never deletes a cluster). The lab writes its cluster to /run/mesh-lab/&lt;lab&gt;/cluster/.
/// </summary>
public sealed partial class FileObjectSource(string directory, ILogger<FileObjectSource> log, TimeProvider time) : IObjectSource
{
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan Rescan { get; init; } = TimeSpan.FromSeconds(10);
    public string Directory { get; } = Path.GetFullPath(directory);
    public string Name => $"file:{Directory}";

    private readonly Dictionary<string, List<JsonObject>> _lastGoodByFile = new(StringComparer.Ordinal);
    /// <summary>Modification time and size of each file when it was last parsed: unchanged files are not parsed again.</summary>
    private readonly Dictionary<string, (DateTime, long)> _stamps = new(StringComparer.Ordinal);

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

        _lastGoodByFile.Clear();
        _stamps.Clear();
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

    /// <summary>Reads every file; a file that fails keeps its last good objects.</summary>
    private (Dictionary<ObjectKey, JsonObject> Objects, List<string> Errors) Scan()
    {
        var objects = new Dictionary<ObjectKey, JsonObject>();
        var errors = new List<string>();
        string[] files;
        try
        {
            files = [.. System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)];
        }
        catch (IOException e)
        {
            errors.Add($"cannot list {Directory}: {e.Message}");
            files = [.. _lastGoodByFile.Keys];
        }
        foreach (var gone in _lastGoodByFile.Keys.Where(f => !files.Contains(f)).ToList())
        {
            _lastGoodByFile.Remove(gone);
            _stamps.Remove(gone);
        }
        foreach (var file in files)
        {
            List<JsonObject> docs;
            try
            {
                var info = new FileInfo(file);
                var stamp = (info.LastWriteTimeUtc, info.Length);
                if (_stamps.TryGetValue(file, out var seen) && seen == stamp && _lastGoodByFile.TryGetValue(file, out var cached))
                {
                    docs = cached;
                }
                else
                {
                    docs = YamlDocuments.Parse(File.ReadAllText(file));
                    _lastGoodByFile[file] = docs;
                    _stamps[file] = stamp;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or YamlDotNet.Core.YamlException)
            {
                errors.Add($"{file}: {e.Message} (keeping its last good contents)");
                if (!_lastGoodByFile.TryGetValue(file, out var last))
                {
                    continue;
                }
                docs = last;
            }
            for (var i = 0; i < docs.Count; i++)
            {
                if (ObjectKey.From(docs[i]) is not { } key)
                {
                    errors.Add($"{file}: document {i + 1} has no kind or metadata.name; skipped");
                    continue;
                }
                if (!objects.TryAdd(key, docs[i]))
                {
                    errors.Add($"{file}: {key} is defined twice; the first definition wins");
                }
            }
        }
        return (objects, errors);
    }

    private static partial class Log
    {
        [LoggerMessage(4110, LogLevel.Warning, "file registry: watcher on {Directory} failed; rescanning")]
        public static partial void WatcherError(ILogger logger, string directory, Exception exception);
    }
}
