using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// Linkerd's balancer: power of two choices over peak-EWMA load. Each endpoint keeps an exponentially weighted
/// moving average of its attempts' latency to response headers that jumps to any higher sample at once (peak) and
/// decays towards lower ones with time constant <see cref="Decay"/> (the time an attempt spent opening its connection is
/// left out) (and towards 0 while it gets no samples, so a
/// slow endpoint is tried again), and its outstanding attempts; its load is <c>ewma × (outstanding + 1)</c>. An attempt draws two distinct endpoints at random (avoiding ones that already
/// failed this request while others remain) and takes the less loaded. A new endpoint starts at
/// <see cref="DefaultRtt"/>. Endpoints a circuit breaker ejected are skipped (<see cref="EndpointEjector"/>). Thread-safe (a short lock per endpoint); time from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class PeakEwmaBalancer(TimeProvider time)
{
    public static readonly TimeSpan Decay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRtt = TimeSpan.FromMilliseconds(30);

    /// <summary>The sample an attempt that got no response headers counts as (a refused connection is fast, not good).</summary>
    public static readonly TimeSpan FailurePenalty = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<IPEndPoint, EndpointLoad> _loads = new();

    /// <summary>
    /// Chooses the endpoint of one attempt and counts it outstanding until <see cref="Attempt.Complete"/>. With an
    /// <paramref name="ejector"/> (circuit breaking), its probe goes first and ejected endpoints are skipped.
    /// </summary>
    public Attempt Pick(ImmutableArray<BackendEndpoint> endpoints, Random random, IReadOnlyCollection<BackendEndpoint>? failed = null,
        EndpointEjector? ejector = null)
    {
        if (endpoints.IsEmpty)
        {
            throw new ArgumentException("no endpoints to pick from", nameof(endpoints));
        }
        var pool = endpoints;
        if (ejector?.Choose(endpoints, failed) is { } choice)
        {
            if (choice.Probe is { } probe)
            {
                return Start(probe);
            }
            pool = choice.Pool;
        }
        var candidates = failed is { Count: > 0 } && pool.Where(e => !failed.Contains(e)).ToImmutableArray() is { IsEmpty: false } fresh
            ? fresh
            : pool;
        var chosen = candidates[0];
        if (candidates.Length > 1)
        {
            var first = random.Next(candidates.Length);
            chosen = candidates[first];
            var other = candidates[(first + 1 + random.Next(candidates.Length - 1)) % candidates.Length];
            var now = time.GetTimestamp();
            if (Load(other).Cost(now, time) < Load(chosen).Cost(now, time))
            {
                chosen = other;
            }
        }
        return Start(chosen);
    }

    private Attempt Start(BackendEndpoint chosen)
    {
        var load = Load(chosen);
        load.Start();
        return new Attempt(chosen, load, time, time.GetTimestamp());
    }

    /// <summary>The current load of <paramref name="endpoint"/> (for tests and diagnostics): peak EWMA in ms × (outstanding + 1).</summary>
    public double Cost(BackendEndpoint endpoint) => Load(endpoint).Cost(time.GetTimestamp(), time);

    private EndpointLoad Load(BackendEndpoint endpoint) => _loads.GetOrAdd(endpoint.Address, static _ => new EndpointLoad());

    /// <summary>One outstanding attempt: <see cref="Complete"/> once (later calls are ignored), when its response headers arrived or it failed.</summary>
    public sealed class Attempt
    {
        private readonly EndpointLoad _load;
        private readonly TimeProvider _time;
        private readonly long _started;
        private int _done;

        internal Attempt(BackendEndpoint endpoint, EndpointLoad load, TimeProvider time, long started)
        {
            Endpoint = endpoint;
            _load = load;
            _time = time;
            _started = started;
        }

        public BackendEndpoint Endpoint { get; }

        /// <param name="failed">No response headers: the sample is at least <see cref="FailurePenalty"/>.</param>
        /// <param name="excluded">Time that says nothing about the endpoint's speed (opening the connection), left out of the sample.</param>
        public void Complete(bool failed = false, TimeSpan excluded = default)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                var now = _time.GetTimestamp();
                var rtt = Math.Max(0, _time.GetElapsedTime(_started, now).TotalMilliseconds - excluded.TotalMilliseconds);
                _load.Finish(failed ? Math.Max(rtt, FailurePenalty.TotalMilliseconds) : rtt, now, _time);
            }
        }
    }

    internal sealed class EndpointLoad
    {
        private readonly Lock _lock = new();
        private double _ewmaMs = DefaultRtt.TotalMilliseconds;
        private long _stamp = -1;
        private int _outstanding;

        public void Start()
        {
            lock (_lock)
            {
                _outstanding++;
            }
        }

        public void Finish(double rttMs, long now, TimeProvider time)
        {
            lock (_lock)
            {
                _outstanding = Math.Max(0, _outstanding - 1);
                if (_stamp < 0 || rttMs > _ewmaMs)
                {
                    _ewmaMs = rttMs;
                }
                else
                {
                    var w = Math.Exp(-time.GetElapsedTime(_stamp, now).TotalSeconds / Decay.TotalSeconds);
                    _ewmaMs = _ewmaMs * w + rttMs * (1 - w);
                }
                _stamp = now;
            }
        }

        /// <summary>The load now: the estimate decayed towards 0 since its last sample (an idle endpoint gets tried again), × (outstanding + 1).</summary>
        public double Cost(long now, TimeProvider time)
        {
            lock (_lock)
            {
                var ewma = _stamp < 0 ? _ewmaMs : _ewmaMs * Math.Exp(-time.GetElapsedTime(_stamp, now).TotalSeconds / Decay.TotalSeconds);
                return ewma * (_outstanding + 1);
            }
        }
    }
}
