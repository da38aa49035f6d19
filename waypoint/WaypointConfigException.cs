namespace Mesh.Waypoint;

/// <summary>A bad or missing setting at start; the message says what to do.</summary>
public sealed class WaypointConfigException(string message) : Exception(message);
