using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// What Gateway API reports as ResolvedRefs=False on a route that is still used, for its filters: a mirror's
/// backendRef naming no Service (nothing is mirrored to it) and an ExtensionRef filter (none is served: the rule's
/// requests get 500). One error per ref, on the route.
/// </summary>
internal static class RouteRefChecks
{
    public static void Report(TranslationContext ctx, IEnumerable<HttpRoute> routes, IEnumerable<Service> services)
    {
        var known = services.Select(s => s.Key).ToHashSet();
        foreach (var route in routes)
        {
            for (var i = 0; i < route.Rules.Length; i++)
            {
                var rule = route.Rules[i];
                var path = $"spec.rules[{i}]";
                Filters(ctx, route, rule.Filters, $"{path}.filters", known);
                for (var j = 0; j < rule.Backends.Length; j++)
                {
                    if (rule.Backends[j].Filters is { } f)
                    {
                        Filters(ctx, route, f, $"{path}.backendRefs[{j}].filters", known);
                    }
                }
            }
        }
    }

    private static void Filters(TranslationContext ctx, HttpRoute route, HttpRouteFilters filters, string path, HashSet<NamespacedName> known)
    {
        if (filters.Unresolved is { } ext)
        {
            Add(ctx, route, path, RouteConditions.Unresolved(RouteConditions.InvalidKind,
                $"{ext} is not a filter this mesh provides; requests matching the rule get 500 (a filter that cannot be resolved is never skipped)"));
        }
        foreach (var m in filters.Mirrors.Where(m => !known.Contains(new NamespacedName(m.Namespace, m.Name))))
        {
            Add(ctx, route, path, RouteConditions.Unresolved(RouteConditions.BackendNotFound,
                $"the RequestMirror Service {m.Namespace}/{m.Name} does not exist; nothing is mirrored to it (the requests themselves are served)"));
        }
    }

    private static void Add(TranslationContext ctx, HttpRoute route, string field, string message) =>
        ctx.Errors.Add(new TranslationError(route.Kind, route.Namespace, route.Name, field, message));
}
