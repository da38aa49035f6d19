using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Waypoints;

/// <summary>The objects one waypoint Gateway owns, as they should be (apply bodies with apiVersion, kind and metadata).</summary>
public sealed record WaypointObjects(JsonObject ServiceAccount, JsonObject ConfigMap, JsonObject Deployment, JsonObject Service)
{
    public IEnumerable<JsonObject> All => [ServiceAccount, ConfigMap, Deployment, Service];
}
