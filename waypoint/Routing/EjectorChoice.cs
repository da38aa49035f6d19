using System.Collections.Immutable;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// Where an attempt may go (<see cref="EndpointEjector.Choose"/>): to <see cref="Probe"/>, an ejected endpoint whose
/// penalty is over (this attempt is its one probe), else to one of <see cref="Pool"/>: the endpoints not ejected (all of
/// them when every one is).
/// </summary>
public readonly record struct EjectorChoice(BackendEndpoint? Probe, ImmutableArray<BackendEndpoint> Pool);
