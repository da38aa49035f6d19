using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// HTTPRoute (gateway.networking.k8s.io) -> HttpRoute: parentRefs, hostnames, and rules with matches
/// (path, method, headers), weighted Service backendRefs, timeouts and retry. Kept whole for waypoints. The retry
/// budget (Gateway API has no field for it) comes from the route's annotations, as Linkerd configures retries on
/// HTTPRoutes: <c>retry.mesh.dev/budget-ratio</c> (0..10, default 0.2), <c>retry.mesh.dev/budget-min-per-second</c>
/// (0..10000, default 10) and <c>retry.mesh.dev/budget-window</c> (a Gateway API duration, 1s..1h, default 10s).
/// </summary>
internal static class HttpRouteTranslator
{
    public const string BudgetRatioAnnotation = "retry.mesh.dev/budget-ratio";
    public const string BudgetMinPerSecondAnnotation = "retry.mesh.dev/budget-min-per-second";
    public const string BudgetWindowAnnotation = "retry.mesh.dev/budget-window";

    public static HttpRoute Translate(ObjectMeta meta, JsonObject obj)
    {
        var spec = JsonFields.Object(obj, "spec", "spec") ?? throw new TranslationException("spec", "spec is required");
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
        var budget = Budget(meta);
        var rules = ImmutableArray.CreateBuilder<HttpRouteRule>();
        var ruleList = JsonFields.Array(spec, "rules", "spec.rules");
        for (var i = 0; i < (ruleList?.Count ?? 0); i++)
        {
            var path = $"spec.rules[{i}]";
            rules.Add(Rule(meta, ruleList![i] as JsonObject ?? throw new TranslationException(path, "expected an object"), path, budget));
        }
        return new HttpRoute
        {
            Name = meta.Name,
            Namespace = meta.Namespace,
            Parents = parents.ToImmutable(),
            Hostnames = JsonFields.StringList(spec, "hostnames", "spec.hostnames"),
            Rules = rules.ToImmutable(),
        };
    }

    private static RetryBudgetSettings Budget(ObjectMeta meta)
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

    private static double Number(string annotation, string text, double max) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 0 && v <= max
            ? v
            : throw new TranslationException($"metadata.annotations[{annotation}]", $"'{text}' is not a number from 0 to {max}");

    private static HttpRouteRule Rule(ObjectMeta meta, JsonObject rule, string path, RetryBudgetSettings budget)
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
            var headers = ImmutableArray.CreateBuilder<HttpHeaderMatch>();
            var headerList = JsonFields.Array(m, "headers", $"{mp}.headers");
            for (var k = 0; k < (headerList?.Count ?? 0); k++)
            {
                var hp = $"{mp}.headers[{k}]";
                var h = headerList![k] as JsonObject ?? throw new TranslationException(hp, "expected an object");
                headers.Add(new HttpHeaderMatch(
                    JsonFields.String(h, "name", $"{hp}.name") ?? throw new TranslationException($"{hp}.name", "name is required"),
                    JsonFields.String(h, "value", $"{hp}.value") ?? "",
                    JsonFields.String(h, "type", $"{hp}.type") ?? "Exact"));
            }
            matches.Add(new HttpRouteMatch
            {
                PathType = type,
                PathValue = p is null ? null : JsonFields.String(p, "value", $"{mp}.path.value") ?? "/",
                Method = JsonFields.String(m, "method", $"{mp}.method"),
                Headers = headers.ToImmutable(),
            });
        }

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
            backends.Add(new HttpBackendRef(
                JsonFields.String(b, "namespace", $"{bp}.namespace") ?? meta.Namespace,
                JsonFields.String(b, "name", $"{bp}.name") ?? throw new TranslationException($"{bp}.name", "name is required"),
                b["port"] is null ? null : JsonFields.Port(b["port"], $"{bp}.port"),
                (int)weight));
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
            Backends = backends.ToImmutable(),
            RequestTimeout = request is null ? null : GatewayDuration.Parse(request, $"{path}.timeouts.request"),
            BackendRequestTimeout = backendRequest is null ? null : GatewayDuration.Parse(backendRequest, $"{path}.timeouts.backendRequest"),
            Retry = retry,
        };
    }
}
