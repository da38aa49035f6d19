using System.Collections.Concurrent;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// The waypoint's circuit breakers, one <see cref="EndpointEjector"/> per backend service (its <c>destination_service</c>
/// name) and settings, created on first use and kept for the process's life; none for a Service that disabled it.
/// </summary>
public sealed class EndpointEjectors(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Service, FailureAccrualSettings Settings), EndpointEjector> _ejectors = new();

    public EndpointEjector? For(string service, FailureAccrualSettings? settings)
    {
        var s = settings ?? FailureAccrualSettings.Default;
        return s.Enabled ? _ejectors.GetOrAdd((service, s), static (key, t) => new EndpointEjector(key.Settings, t, Random.Shared), time) : null;
    }
}
