using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// HTTPRoute (gateway.networking.k8s.io) -> HttpRoute: parentRefs, hostnames, and rules with matches
/// (path, method, headers), filters (rule and backendRef level, <see cref="RouteFilterTranslator"/>), weighted Service
/// backendRefs, timeouts and retry. Kept whole for waypoints. The retry budget (Gateway API has no field for it) comes
/// from the route's annotations, as Linkerd configures retries on HTTPRoutes: <c>retry.mesh.dev/budget-ratio</c>
/// (0..10, default 0.2), <c>retry.mesh.dev/budget-min-per-second</c> (0..10000, default 10) and
/// <c>retry.mesh.dev/budget-window</c> (a Gateway API duration, 1s..1h, default 10s); gRPC status codes to retry
/// (Linkerd's <c>retry.linkerd.io/grpc</c>) from <c>retry.mesh.dev/grpc</c> (names such as <c>unavailable</c> or
/// <c>UNAVAILABLE</c>, comma-separated), with <c>retry.mesh.dev/limit</c> retries (default 1, Linkerd's) where the rule
/// has no <c>retry</c> of its own. A rule whose filters Gateway API rejects makes the route not accepted
/// (<see cref="RouteConditions"/>).
/// </summary>
internal static class HttpRouteTranslator
{
    public const string BudgetRatioAnnotation = "retry.mesh.dev/budget-ratio";
    public const string BudgetMinPerSecondAnnotation = "retry.mesh.dev/budget-min-per-second";
    public const string BudgetWindowAnnotation = "retry.mesh.dev/budget-window";
    public const string GrpcCodesAnnotation = "retry.mesh.dev/grpc";
    public const string LimitAnnotation = "retry.mesh.dev/limit";

    public static HttpRoute Translate(ObjectMeta meta, JsonObject obj)
    {
        var spec = JsonFields.Object(obj, "spec", "spec") ?? throw new TranslationException("spec", "spec is required");
        var budget = Budget(meta);
        var grpc = GrpcRetry(meta);
        var rules = ImmutableArray.CreateBuilder<HttpRouteRule>();
        var ruleList = JsonFields.Array(spec, "rules", "spec.rules");
        for (var i = 0; i < (ruleList?.Count ?? 0); i++)
        {
            var path = $"spec.rules[{i}]";
            rules.Add(Rule(meta, ruleList![i] as JsonObject ?? throw new TranslationException(path, "expected an object"), path, budget, grpc));
        }
        return new HttpRoute
        {
            Name = meta.Name,
            Namespace = meta.Namespace,
            Parents = Parents(meta, spec),
            Hostnames = JsonFields.StringList(spec, "hostnames", "spec.hostnames"),
            Rules = rules.ToImmutable(),
        };
    }

    public static ImmutableArray<HttpRouteParent> Parents(ObjectMeta meta, JsonObject spec)
    {
        var parents = ImmutableArray.CreateBuilder<HttpRouteParent>();
        var parentRefs = JsonFields.Array(spec, "parentRefs", "spec.parentRefs");
        for (var i = 0; i < (parentRefs?.Count ?? 0); i++)
        {
            var path = $"spec.parentRefs[{i}]";
            var p = parentRefs![i] as JsonObject ?? throw new TranslationException(path, "expected an object");
            var name = JsonFields.String(p, "name", $"{path}.name") ?? throw new TranslationException($"{path}.name", "name is required");
            var port = p["port"] is null ? (int?)null : JsonFields.Port(p["port"], $"{path}.port");
            parents.Add(new HttpRouteParent(JsonFields.String(p, "kind", $"{path}.kind") ?? "Gateway",
                JsonFields.String(p, "namespace", $"{path}.namespace") ?? meta.Namespace, name, port));
        }
        return parents.ToImmutable();
    }

    public static RetryBudgetSettings Budget(ObjectMeta meta)
    {
        var budget = RetryBudgetSettings.Default;
        if (meta.Annotations.TryGetValue(BudgetRatioAnnotation, out var ratio))
        {
            budget = budget with { Ratio = Number(BudgetRatioAnnotation, ratio, 10) };
        }
        if (meta.Annotations.TryGetValue(BudgetMinPerSecondAnnotation, out var min))
        {
            budget = budget with { MinPerSecond = Number(BudgetMinPerSecondAnnotation, min, 10_000) };
        }
        if (meta.Annotations.TryGetValue(BudgetWindowAnnotation, out var window))
        {
            var field = $"metadata.annotations[{BudgetWindowAnnotation}]";
            var w = GatewayDuration.Parse(window, field);
            budget = w >= TimeSpan.FromSeconds(1) && w <= TimeSpan.FromHours(1)
                ? budget with { Window = w }
                : throw new TranslationException(field, $"'{window}' is outside 1s..1h");
        }
        return budget;
    }

    /// <summary>The route's <c>retry.mesh.dev/grpc</c> codes and <c>retry.mesh.dev/limit</c>; null without the codes annotation.</summary>
    public static (ImmutableArray<int> Codes, int Limit)? GrpcRetry(ObjectMeta meta)
    {
        int? limit = null;
        if (meta.Annotations.TryGetValue(LimitAnnotation, out var l))
        {
            limit = (int)Number(LimitAnnotation, l, 10);
            if (limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) != l.Trim())
            {
                throw new TranslationException($"metadata.annotations[{LimitAnnotation}]", $"'{l}' is not a whole number from 0 to 10");
            }
        }
        if (!meta.Annotations.TryGetValue(GrpcCodesAnnotation, out var text))
        {
            return limit is null ? null
                : throw new TranslationException($"metadata.annotations[{LimitAnnotation}]", $"{LimitAnnotation} needs {GrpcCodesAnnotation} (the gRPC codes to retry)");
        }
        var codes = ImmutableArray.CreateBuilder<int>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            codes.Add(Mesh.Core.Http.GrpcStatusCodes.Parse(name) is { } c and > 0 ? c
                : throw new TranslationException($"metadata.annotations[{GrpcCodesAnnotation}]",
                    $"'{name}' is not a gRPC status code other than OK (use names such as unavailable, resource-exhausted, deadline-exceeded)"));
        }
        return codes.Count == 0
            ? throw new TranslationException($"metadata.annotations[{GrpcCodesAnnotation}]", "no gRPC status code given (e.g. unavailable)")
            : (codes.ToImmutable(), limit ?? 1);
    }

    /// <summary>The rule's retry with the route's gRPC codes added (a retry of <c>limit</c> attempts when the rule has none).</summary>
    public static HttpRetry? WithGrpc(HttpRetry? retry, (ImmutableArray<int> Codes, int Limit)? grpc, RetryBudgetSettings budget) => grpc is not { } g
        ? retry
        : retry is null ? new HttpRetry { Attempts = g.Limit, GrpcCodes = g.Codes, Budget = budget }
        : retry with { GrpcCodes = g.Codes };

    private static double Number(string annotation, string text, double max) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 0 && v <= max
            ? v
            : throw new TranslationException($"metadata.annotations[{annotation}]", $"'{text}' is not a number from 0 to {max}");

    private static HttpRouteRule Rule(ObjectMeta meta, JsonObject rule, string path, RetryBudgetSettings budget, (ImmutableArray<int>, int)? grpc)
    {
        var matches = ImmutableArray.CreateBuilder<HttpRouteMatch>();
        var matchList = JsonFields.Array(rule, "matches", $"{path}.matches");
        for (var j = 0; j < (matchList?.Count ?? 0); j++)
        {
            var mp = $"{path}.matches[{j}]";
            var m = matchList![j] as JsonObject ?? throw new TranslationException(mp, "expected an object");
            var p = JsonFields.Object(m, "path", $"{mp}.path");
            var type = p is null ? null : JsonFields.String(p, "type", $"{mp}.path.type") ?? "PathPrefix";
            if (type is not (null or "Exact" or "PathPrefix" or "RegularExpression"))
            {
                throw new TranslationException($"{mp}.path.type", $"'{type}' is not Exact, PathPrefix or RegularExpression");
            }
            var headers = HeaderMatches(m, mp);
            matches.Add(new HttpRouteMatch
            {
                PathType = type,
                PathValue = p is null ? null : JsonFields.String(p, "value", $"{mp}.path.value") ?? "/",
                Method = JsonFields.String(m, "method", $"{mp}.method"),
                Headers = headers,
            });
        }

        var filters = RouteFilterTranslator.Translate(meta, JsonFields.Array(rule, "filters", $"{path}.filters"), $"{path}.filters", RouteFilterTranslator.HttpRule);
        var backends = Backends(meta, rule, path, RouteFilterTranslator.HttpBackend);
        if (filters.Redirect is not null && !backends.IsEmpty)
        {
            throw RouteConditions.NotAccepted($"{path}.filters", RouteConditions.IncompatibleFilters, "RequestRedirect cannot be used together with backendRefs");
        }
        var prefixOnly = matches.All(m => m.PathType is null or "PathPrefix");
        if (!prefixOnly && (ReplacesPrefix(filters) || backends.Any(b => b.Filters is { } f && ReplacesPrefix(f))))
        {
            throw RouteConditions.NotAccepted($"{path}.filters", RouteConditions.UnsupportedValue,
                "ReplacePrefixMatch needs every match of the rule to be a PathPrefix match");
        }

        var timeouts = JsonFields.Object(rule, "timeouts", $"{path}.timeouts");
        var request = JsonFields.String(timeouts, "request", $"{path}.timeouts.request");
        var backendRequest = JsonFields.String(timeouts, "backendRequest", $"{path}.timeouts.backendRequest");
        HttpRetry? retry = null;
        if (JsonFields.Object(rule, "retry", $"{path}.retry") is { } r)
        {
            var codes = JsonFields.Array(r, "codes", $"{path}.retry.codes");
            var backoff = JsonFields.String(r, "backoff", $"{path}.retry.backoff");
            retry = new HttpRetry
            {
                Attempts = (int)(JsonFields.Integer(r, "attempts", $"{path}.retry.attempts") ?? 1),
                Codes = codes is null ? [] : [.. codes.Select((c, k) => (int)JsonFields.Integer(c, $"{path}.retry.codes[{k}]")!.Value)],
                Backoff = backoff is null ? null : GatewayDuration.Parse(backoff, $"{path}.retry.backoff"),
                Budget = budget,
            };
        }
        return new HttpRouteRule
        {
            Matches = matches.ToImmutable(),
            Backends = backends,
            Filters = filters,
            RequestTimeout = request is null ? null : GatewayDuration.Parse(request, $"{path}.timeouts.request"),
            BackendRequestTimeout = backendRequest is null ? null : GatewayDuration.Parse(backendRequest, $"{path}.timeouts.backendRequest"),
            Retry = WithGrpc(retry, grpc, budget),
        };
    }

    /// <summary>A match's header matches (HTTPHeaderMatch and GRPCHeaderMatch have the same shape).</summary>
    public static ImmutableArray<HttpHeaderMatch> HeaderMatches(JsonObject m, string mp)
    {
        var headers = ImmutableArray.CreateBuilder<HttpHeaderMatch>();
        var headerList = JsonFields.Array(m, "headers", $"{mp}.headers");
        for (var k = 0; k < (headerList?.Count ?? 0); k++)
        {
            var hp = $"{mp}.headers[{k}]";
            var h = headerList![k] as JsonObject ?? throw new TranslationException(hp, "expected an object");
            var type = JsonFields.String(h, "type", $"{hp}.type") ?? "Exact";
            if (type is not ("Exact" or "RegularExpression"))
            {
                throw RouteConditions.NotAccepted($"{hp}.type", RouteConditions.UnsupportedValue, $"'{type}' is not Exact or RegularExpression");
            }
            headers.Add(new HttpHeaderMatch(
                JsonFields.String(h, "name", $"{hp}.name") ?? throw new TranslationException($"{hp}.name", "name is required"),
                JsonFields.String(h, "value", $"{hp}.value") ?? "",
                type));
        }
        return headers.ToImmutable();
    }

    private static bool ReplacesPrefix(HttpRouteFilters f) =>
        f.Redirect?.Path?.Type == "ReplacePrefixMatch" || f.Rewrite?.Path?.Type == "ReplacePrefixMatch";

    /// <summary>A rule's weighted Service backendRefs, each with its own filters (of <paramref name="allowedFilters"/>).</summary>
    public static ImmutableArray<HttpBackendRef> Backends(ObjectMeta meta, JsonObject rule, string path, string[] allowedFilters)
    {
        var backends = ImmutableArray.CreateBuilder<HttpBackendRef>();
        var backendList = JsonFields.Array(rule, "backendRefs", $"{path}.backendRefs");
        for (var j = 0; j < (backendList?.Count ?? 0); j++)
        {
            var bp = $"{path}.backendRefs[{j}]";
            var b = backendList![j] as JsonObject ?? throw new TranslationException(bp, "expected an object");
            var kind = JsonFields.String(b, "kind", $"{bp}.kind") ?? "Service";
            if (kind != "Service")
            {
                throw new TranslationException($"{bp}.kind", $"backend kind '{kind}' is not supported (only Service)");
            }
            var weight = JsonFields.Integer(b, "weight", $"{bp}.weight") ?? 1;
            if (weight is < 0 or > 1_000_000)
            {
                throw new TranslationException($"{bp}.weight", $"weight {weight} is out of range 0-1000000");
            }
            var filters = RouteFilterTranslator.Translate(meta, JsonFields.Array(b, "filters", $"{bp}.filters"), $"{bp}.filters", allowedFilters);
            backends.Add(new HttpBackendRef(
                JsonFields.String(b, "namespace", $"{bp}.namespace") ?? meta.Namespace,
                JsonFields.String(b, "name", $"{bp}.name") ?? throw new TranslationException($"{bp}.name", "name is required"),
                b["port"] is null ? null : JsonFields.Port(b["port"], $"{bp}.port"),
                (int)weight,
                filters.IsEmpty ? null : filters));
        }
        return backends.ToImmutable();
    }
}
