namespace Mesh.Waypoint.Routing;

/// <summary>A RequestRedirect's answer: the status (301, 302, ...) and the Location.</summary>
public sealed record RedirectAnswer(int Status, string Location);
