namespace Mesh.Waypoint.Authorization;

/// <summary>The waypoint's authorization outcome; <see cref="Policy"/> ("ns/name") names the deciding policy when one did.</summary>
public readonly record struct L7Decision(bool Allowed, string? Policy)
{
    public static readonly L7Decision NoPolicies = new(true, null);
}
