using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Core.Identity;
using Mesh.Core.Model;
using Mesh.Core.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Core.Discovery;

/// <summary>
/// A proxy's discovery stream (see <see cref="DiscoveryWire"/>). <see cref="RunAsync"/> connects, applies the
/// full state and the deltas into an immutable <see cref="MeshState"/> swapped whole (it is the only writer),
/// and on any failure reconnects with backoff, resuming from its epoch/version and resource hashes. When the
/// control plane is gone, <see cref="Current"/> keeps the last good state. It is the proxy's one store of the mesh
/// state: readers take <see cref="State"/>.
/// </summary>
public sealed partial class DiscoveryClient : IDisposable
{
    private readonly DiscoveryClientOptions _options;
    private readonly ILogger _log;
    private readonly HttpClient _http;
    private readonly ResourceTable<Workload> _workloads = new(DiscoveryWire.Workloads, DiscoveryJson.Strict<Workload>(), w => w.Uid);
    private readonly ResourceTable<Service> _services = new(DiscoveryWire.Services, DiscoveryJson.Strict<Service>(), s => s.Key.ToString());
    private readonly ResourceTable<Waypoint> _waypoints = new(DiscoveryWire.Waypoints, DiscoveryJson.Strict<Waypoint>(), w => w.Key.ToString());
    private readonly ResourceTable<AuthorizationPolicy> _policies = new(DiscoveryWire.Policies, DiscoveryJson.Strict<AuthorizationPolicy>(), p => $"{p.Namespace}/{p.Name}");
    private readonly ResourceTable<HttpRoute> _routes = new(DiscoveryWire.HttpRoutes, DiscoveryJson.Strict<HttpRoute>(), r => r.ResourceName);
    private readonly ResourceTable<MeshNamespace> _namespaces = new(DiscoveryWire.Namespaces, DiscoveryJson.Strict<MeshNamespace>(), n => n.Name);
    private readonly ResourceTable<TrustBundle> _bundles = new(DiscoveryWire.TrustBundles, DiscoveryJson.Strict<TrustBundle>(), b => b.TrustDomain);
    private readonly IResourceTable[] _tables;
    private readonly SnapshotHolder<MeshState> _state = new(MeshState.Empty);
    private volatile bool _connected;

    public DiscoveryClient(DiscoveryClientOptions options, ILogger<DiscoveryClient>? log = null)
    {
        _options = options;
        _log = (ILogger?)log ?? NullLogger.Instance;
        _http = ControlPlaneHttp.CreateClient(options.ControlPlane);
        _tables = [_workloads, _services, _waypoints, _policies, _routes, _namespaces, _bundles];
    }

    /// <summary>The last good state (Empty until the first message).</summary>
    public MeshState Current => _state.Current;

    /// <summary>The state and its change signal, for readers (this client is its one writer).</summary>
    public IReadOnlySnapshot<MeshState> State => _state;
    /// <summary>The control plane epoch of <see cref="Current"/> (null before the first message).</summary>
    public string? Epoch { get; private set; }
    public bool Connected => _connected;
    /// <summary>Full states applied since start (a resume that needed only a delta does not add one).</summary>
    public long FullStatesReceived => Interlocked.Read(ref _fullStates);
    public long DeltasReceived => Interlocked.Read(ref _deltas);
    /// <summary>Connection attempts or streams that failed (the client kept its state and retried).</summary>
    public long Failures => Interlocked.Read(ref _failures);
    private long _fullStates;
    private long _deltas;
    private long _failures;

    /// <summary>
    /// Raised on the client's thread with each new state before it is swapped in: what a handler does (take the new
    /// trust bundle) is in place before any reader of <see cref="State"/> sees the state.
    /// </summary>
    public event Action<MeshState>? StateChanged;

    /// <summary>Completes when the next state after the call is swapped in (after its <see cref="StateChanged"/> handlers ran).</summary>
    public Task NextChangeAsync(CancellationToken cancellationToken) => _state.NextAsync(cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = _options.MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            var received = false;
            try
            {
                received = await StreamOnceAsync(cancellationToken);
                Log.StreamEnded(_log, _options.ControlPlane.Address);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or JsonException or InvalidOperationException or OperationCanceledException)
            {
                Interlocked.Increment(ref _failures);
                Log.StreamFailed(_log, _options.ControlPlane.Address, e.GetBaseException().Message);
            }
            finally
            {
                _connected = false;
            }
            backoff = received ? _options.MinBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            var jitter = TimeSpan.FromTicks((long)(backoff.Ticks * Random.Shared.NextDouble() * 0.2));
            try
            {
                await Task.Delay(backoff + jitter, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection: returns true when at least one message was applied.</summary>
    private async Task<bool> StreamOnceAsync(CancellationToken ct)
    {
        var view = _options.FullView ? DiscoveryWire.ViewFull : DiscoveryWire.ViewNode;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{DiscoveryWire.StreamPath}?view={view}")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = JsonContent.Create(ResumeRequest(), DiscoveryJson.Context.DiscoveryRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ControlPlaneHttp.ReadToken(_options.ControlPlane));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new InvalidOperationException($"discovery refused: HTTP {(int)response.StatusCode} {body.Trim()}");
        }
        _connected = true;
        Log.Connected(_log, _options.ControlPlane.Address, Epoch ?? "-", _state.Current.Version);
        var reader = PipeReader.Create(await response.Content.ReadAsStreamAsync(ct), new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        var received = false;
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            if (buffer.PositionOf((byte)'\n') is not null)
            {
                // Applying a state takes milliseconds in a large mesh. Where socket completions run inline
                // (ztunnel), this continuation is on a socket thread that also carries the data path: apply on
                // the thread pool instead.
                await Task.Yield();
            }
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                Apply(buffer.Slice(0, end));
                received = true;
                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                await reader.CompleteAsync();
                return received;
            }
        }
    }

    private DiscoveryRequest ResumeRequest() => Epoch is null
        ? new DiscoveryRequest()
        : new DiscoveryRequest { Epoch = Epoch, Version = _state.Current.Version, Have = _tables.ToDictionary(t => t.Kind, t => t.Hashes()) };

    /// <summary>Applies one message line and swaps in the new state; a malformed line throws <see cref="JsonException"/>.</summary>
    internal void Apply(ReadOnlySequence<byte> line)
    {
        MeshState? state;
        try
        {
            state = Read(line);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            // JsonElement's accessors and the model's converters throw these for a missing field or a wrong type.
            throw new JsonException($"malformed discovery message: {e.Message}", e);
        }
        if (state is null)
        {
            return;
        }
        try
        {
            StateChanged?.Invoke(state);
        }
        finally
        {
            _state.Publish(state); // also when a handler failed (its exception ends the stream, the state stays good)
        }
    }

    /// <summary>Parses one line into the tables; the new state, or null for a message type this client ignores.</summary>
    private MeshState? Read(ReadOnlySequence<byte> line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString();
        var epoch = root.GetProperty("epoch").GetString();
        var version = root.GetProperty("version").GetInt64();
        if (type == DiscoveryWire.Full)
        {
            foreach (var t in _tables)
            {
                t.Clear();
            }
        }
        else if (type != DiscoveryWire.Delta)
        {
            return null;
        }
        Interlocked.Increment(ref type == DiscoveryWire.Full ? ref _fullStates : ref _deltas);
        var changed = type == DiscoveryWire.Full;
        foreach (var t in _tables)
        {
            if (root.TryGetProperty(t.Kind, out var items))
            {
                foreach (var item in items.EnumerateArray())
                {
                    t.Upsert(item);
                    changed = true;
                }
            }
        }
        if (root.TryGetProperty(DiscoveryWire.Removed, out var removed))
        {
            foreach (var t in _tables)
            {
                if (removed.TryGetProperty(t.Kind, out var keys))
                {
                    foreach (var key in keys.EnumerateArray())
                    {
                        t.Remove(key.GetString()!);
                        changed = true;
                    }
                }
            }
        }
        Epoch = epoch;
        return changed
            ? MeshState.Build(version, _workloads.Values, _services.Values, _waypoints.Values, _policies.Values) with { HttpRoutes = [.. _routes.Values], Namespaces = [.. _namespaces.Values], TrustBundle = _bundles.Values.FirstOrDefault() }
            : _state.Current with { Version = version };
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Log events of the discovery client (ids 5200-5299).</summary>
    private static partial class Log
    {
        [LoggerMessage(5200, LogLevel.Information, "discovery: connected to {Address} (resuming from {Epoch}/{Version})")]
        public static partial void Connected(ILogger logger, Uri address, string epoch, long version);

        [LoggerMessage(5201, LogLevel.Warning, "discovery: stream to {Address} failed: {Reason}; keeping the last state and reconnecting")]
        public static partial void StreamFailed(ILogger logger, Uri address, string reason);

        [LoggerMessage(5202, LogLevel.Information, "discovery: stream to {Address} ended; reconnecting")]
        public static partial void StreamEnded(ILogger logger, Uri address);
    }
}
