using System.Collections.Immutable;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>A RequestMirror's service and its endpoints (on the target port of the mirror's port); empty when it has none.</summary>
public sealed record MirrorTarget(Service Service, ImmutableArray<BackendEndpoint> Endpoints);
