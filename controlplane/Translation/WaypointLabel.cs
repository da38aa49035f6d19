using System.Collections.Immutable;
using Mesh.Core;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// Resolves <c>mesh.dev/use-waypoint</c>: the object's own label wins over its namespace's; the value
/// "none" opts out; any other value names a waypoint Gateway in the object's namespace.
/// </summary>
internal static class WaypointLabel
{
    public const string None = "none";

    public static NamespacedName? Resolve(string ns, ImmutableDictionary<string, string> own, ImmutableDictionary<string, string> nsLabels)
    {
        if (!own.TryGetValue(MeshLabels.UseWaypoint, out var value) && !nsLabels.TryGetValue(MeshLabels.UseWaypoint, out value))
        {
            return null;
        }
        return value.Length == 0 || value == None ? null : new NamespacedName(ns, value);
    }
}
