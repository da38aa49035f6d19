namespace Mesh.Core.Model;

/// <summary>
/// A Service's <c>spec.trafficDistribution</c> as ztunnel uses it. <see cref="PreferClose"/>: connections go to the
/// endpoints on the client's own node while any of them is healthy, else to all (the mesh models no zones, so
/// Kubernetes' PreferClose, PreferSameZone and PreferSameNode all mean the node here). <see cref="Any"/>: every
/// endpoint alike (absent or an unrecognised value, which Kubernetes asks implementations to ignore).
/// </summary>
public enum TrafficDistribution
{
    Any = 0,
    PreferClose = 1,
}
