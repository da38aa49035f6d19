using System.Collections.Immutable;
using System.Net;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// Circuit breaking of one backend service's endpoints (Linkerd's failure accrual with Envoy's cap on ejections), the
/// pure state machine: an endpoint is <em>available</em> until <see cref="FailureAccrualSettings.ConsecutiveFailures"/>
/// failures in a row (or its failure rate over the window reaching <see cref="FailureAccrualSettings.FailureRate"/>)
/// <em>eject</em> it, unless that would take more than <see cref="FailureAccrualSettings.MaxEjectedPercent"/> of the
/// endpoints out; an ejected endpoint gets no attempts for its penalty, then exactly one, the <em>probe</em>: a success
/// returns it (and resets its penalty), a failure ejects it again for twice the penalty, up to the maximum. Thread-safe
/// (one short lock per call); time from the injected <see cref="TimeProvider"/>, jitter from the given <see cref="Random"/>.
/// </summary>
public sealed class EndpointEjector
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPEndPoint, Health> _health = [];
    private readonly TimeProvider _time;
    private readonly Random _random;

    public EndpointEjector(FailureAccrualSettings settings, TimeProvider time, Random random)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MinPenalty <= TimeSpan.Zero || settings.MaxPenalty < settings.MinPenalty)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings, "the min penalty must be positive and the max penalty at least the min");
        }
        Settings = settings;
        _time = time;
        _random = random;
    }

    public FailureAccrualSettings Settings { get; }

    /// <summary>
    /// Where the next attempt to one of <paramref name="endpoints"/> may go: an endpoint whose penalty is over and that is
    /// not in <paramref name="avoid"/> becomes the probe (taken: no other attempt gets it until its verdict is recorded);
    /// else the endpoints not ejected, or all of them when none is left.
    /// </summary>
    public EjectorChoice Choose(ImmutableArray<BackendEndpoint> endpoints, IReadOnlyCollection<BackendEndpoint>? avoid = null)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var ejected = 0;
            foreach (var e in endpoints)
            {
                if (_health.GetValueOrDefault(e.Address) is not { Ejected: true } h)
                {
                    continue;
                }
                if (!h.Probing && now >= h.Until && avoid?.Contains(e) != true)
                {
                    h.Probing = true;
                    return new EjectorChoice(e, endpoints);
                }
                ejected++;
            }
            if (ejected == 0 || ejected == endpoints.Length)
            {
                return new EjectorChoice(null, endpoints);
            }
            return new EjectorChoice(null, [.. endpoints.Where(e => _health.GetValueOrDefault(e.Address) is not { Ejected: true })]);
        }
    }

    /// <summary>Records one attempt's verdict on <paramref name="endpoint"/>, one of the backend's current <paramref name="endpoints"/>.</summary>
    public EjectionChange Record(BackendEndpoint endpoint, EndpointVerdict verdict, ImmutableArray<BackendEndpoint> endpoints)
    {
        lock (_lock)
        {
            if (!_health.TryGetValue(endpoint.Address, out var h))
            {
                _health[endpoint.Address] = h = new Health(Settings, _time);
            }
            switch (verdict)
            {
                case EndpointVerdict.Neutral:
                    // A probe that proved nothing: the next attempt probes again.
                    h.Probing = false;
                    return EjectionChange.None;
                case EndpointVerdict.Success:
                    h.Consecutive = 0;
                    h.Window?.Add(1, 0);
                    if (!h.Probing)
                    {
                        // Available already, or an answer from before its ejection: that changes nothing.
                        return EjectionChange.None;
                    }
                    h.Ejected = h.Probing = false;
                    var ejections = h.Ejections;
                    h.Ejections = 0;
                    return new EjectionChange(EjectionKind.Returned, endpoint.Address, Ejections: ejections);
            }
            if (h.Probing)
            {
                h.Probing = false;
                return Eject(h, endpoint, "probe_failed");
            }
            if (h.Ejected)
            {
                return EjectionChange.None;
            }
            h.Consecutive++;
            h.Window?.Add(1, 1);
            var reason = Settings.ConsecutiveFailures > 0 && h.Consecutive >= Settings.ConsecutiveFailures ? "consecutive_failures"
                : h.Window is { } w && Settings.FailureRate is { } rate && w.First >= Settings.FailureRateMinRequests && w.Second >= rate * w.First ? "failure_rate"
                : null;
            if (reason is null || endpoints.Count(e => _health.GetValueOrDefault(e.Address) is { Ejected: true }) + 1 > endpoints.Length * Settings.MaxEjectedPercent / 100)
            {
                // Over the cap the failures keep counting: it is ejected on its next failure once another returns.
                return EjectionChange.None;
            }
            h.Consecutive = 0;
            h.Window?.Clear();
            return Eject(h, endpoint, reason);
        }
    }

    /// <summary>The penalty of the <paramref name="ejections"/>-th ejection in a row: the min doubled each time, jittered, capped.</summary>
    public TimeSpan Penalty(int ejections, double jitter) =>
        TimeSpan.FromTicks((long)Math.Min(Settings.MaxPenalty.Ticks,
            Settings.MinPenalty.Ticks * Math.Pow(2, Math.Min(ejections - 1, 40)) * (1 + Settings.JitterRatio * jitter)));

    private EjectionChange Eject(Health h, BackendEndpoint endpoint, string reason)
    {
        h.Ejected = true;
        h.Ejections++;
        var penalty = Penalty(h.Ejections, _random.NextDouble());
        h.Until = _time.GetTimestamp() + (long)(penalty.TotalSeconds * _time.TimestampFrequency);
        return new EjectionChange(EjectionKind.Ejected, endpoint.Address, reason, penalty, h.Ejections);
    }

    private sealed class Health(FailureAccrualSettings settings, TimeProvider time)
    {
        public int Consecutive;
        public bool Ejected;
        public bool Probing;
        public int Ejections;
        /// <summary>When the penalty ends (a <see cref="TimeProvider"/> timestamp).</summary>
        public long Until;
        /// <summary>Requests (first) and failures (second) over the failure-rate window, when that check is on.</summary>
        public readonly WindowCounts? Window = settings.FailureRate is null ? null : new WindowCounts(settings.FailureRateWindow, time);
    }
}
