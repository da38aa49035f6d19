using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>One raw event of a watch stream: type ADDED, MODIFIED, DELETED, BOOKMARK or ERROR, and its object.</summary>
public sealed record KubeWatchEvent(string Type, JsonObject Object)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
    public const string Error = "ERROR";
}
