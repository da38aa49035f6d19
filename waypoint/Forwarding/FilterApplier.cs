using Mesh.Waypoint.Filters;
using Mesh.Waypoint.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Waypoint.Forwarding;

/// <summary>
/// Carries out a plan's filters on the request before it is forwarded (so every attempt and every mirror sees the
/// same request): the rule's RequestHeaderModifier, then the backendRef's; URLRewrite (a backendRef's hostname or path
/// takes the place of the rule's): the path the backend sees (the client's query kept) and its Host. The
/// ResponseHeaderModifiers (rule's, then backendRef's) run on the response the client gets, as its headers go out.
/// </summary>
public static class FilterApplier
{
    public static void Apply(HttpContext ctx, RoutePlan plan)
    {
        var rule = plan.Filters;
        var backend = plan.BackendFilters;
        HeaderFilter.Apply(rule.RequestHeaders, ctx.Request.Headers);
        HeaderFilter.Apply(backend?.RequestHeaders, ctx.Request.Headers);
        if ((backend?.Rewrite?.Path ?? rule.Rewrite?.Path) is { } path)
        {
            var rewritten = new PathString(PathRewriter.Apply(path, ctx.Request.Path.Value ?? "/", plan.MatchedPrefix));
            ctx.Request.Path = rewritten;
            // The forwarder sends the raw target when there is one: it must be the rewritten one.
            if (ctx.Features.Get<IHttpRequestFeature>() is { } request)
            {
                request.RawTarget = rewritten.ToUriComponent() + ctx.Request.QueryString.ToUriComponent();
            }
        }
        if ((backend?.Rewrite?.Hostname ?? rule.Rewrite?.Hostname) is { } host)
        {
            ctx.Request.Headers.Host = host;
        }
        if (rule.ResponseHeaders is not null || backend?.ResponseHeaders is not null)
        {
            ctx.Response.OnStarting(() =>
            {
                HeaderFilter.Apply(rule.ResponseHeaders, ctx.Response.Headers);
                HeaderFilter.Apply(backend?.ResponseHeaders, ctx.Response.Headers);
                return Task.CompletedTask;
            });
        }
    }
}
