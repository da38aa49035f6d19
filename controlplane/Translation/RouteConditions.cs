namespace Mesh.ControlPlane.Translation;

/// <summary>
/// The Gateway API route conditions a translation error stands for, written at the head of its message
/// (<c>Accepted=False (IncompatibleFilters): ...</c>) so the status and the log read as the route's status would. A
/// route not accepted is left out (its requests take the service's default route, as with no route); a route with
/// unresolved refs is kept and the requests that need the missing ref get a 500.
/// </summary>
internal static class RouteConditions
{
    public const string UnsupportedValue = "UnsupportedValue";
    public const string IncompatibleFilters = "IncompatibleFilters";
    public const string BackendNotFound = "BackendNotFound";
    public const string InvalidKind = "InvalidKind";

    /// <summary>Accepted=False: the route is not used.</summary>
    public static TranslationException NotAccepted(string field, string reason, string message) =>
        new(field, $"Accepted=False ({reason}): {message}");

    /// <summary>ResolvedRefs=False: the route is used; what needs the ref fails.</summary>
    public static string Unresolved(string reason, string message) => $"ResolvedRefs=False ({reason}): {message}";
}
