using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// GRPCRoute (gateway.networking.k8s.io/v1) -> the same <see cref="HttpRoute"/> model waypoints route HTTP with
/// (<see cref="HttpRoute.Kind"/> "GRPCRoute"): a gRPC call is a POST to <c>/service/method</c> with a gRPC content
/// type, so each match becomes a path match plus a <c>content-type</c> header match (<see cref="GrpcContentType"/>).
/// Method match Exact: service and method -> Exact <c>/service/method</c>; service only -> PathPrefix
/// <c>/service</c>; method only -> RegularExpression <c>/[^/]+/method</c>. RegularExpression: the path
/// <c>/(service)/(method)</c> with <c>[^/]+</c> for an empty side. A rule without matches takes every gRPC call.
/// Headers, weighted backendRefs and the filters GRPCRoute has (RequestHeaderModifier, ResponseHeaderModifier,
/// RequestMirror, ExtensionRef) as for HTTPRoute. Retries: GRPCRoute has no retry field; the route's
/// <c>retry.mesh.dev/grpc</c>, <c>retry.mesh.dev/limit</c> and budget annotations (as Linkerd's
/// <c>retry.linkerd.io/grpc</c>) give them.
/// </summary>
internal static class GrpcRouteTranslator
{
    /// <summary>gRPC's content types: application/grpc, optionally +proto, +json, ... (not grpc-web).</summary>
    public static readonly HttpHeaderMatch GrpcContentType = new("content-type", @"application/grpc(\+[^;]*)?(;.*)?", "RegularExpression");

    public static HttpRoute Translate(ObjectMeta meta, JsonObject obj)
    {
        var spec = JsonFields.Object(obj, "spec", "spec") ?? throw new TranslationException("spec", "spec is required");
        var budget = HttpRouteTranslator.Budget(meta);
        var retry = HttpRouteTranslator.WithGrpc(null, HttpRouteTranslator.GrpcRetry(meta), budget);
        var rules = ImmutableArray.CreateBuilder<HttpRouteRule>();
        var ruleList = JsonFields.Array(spec, "rules", "spec.rules");
        for (var i = 0; i < (ruleList?.Count ?? 0); i++)
        {
            var path = $"spec.rules[{i}]";
            var rule = ruleList![i] as JsonObject ?? throw new TranslationException(path, "expected an object");
            rules.Add(new HttpRouteRule
            {
                Matches = Matches(rule, path),
                Filters = RouteFilterTranslator.Translate(meta, JsonFields.Array(rule, "filters", $"{path}.filters"), $"{path}.filters", RouteFilterTranslator.Grpc),
                Backends = HttpRouteTranslator.Backends(meta, rule, path, RouteFilterTranslator.Grpc),
                Retry = retry,
            });
        }
        return new HttpRoute
        {
            Kind = HttpRoute.GrpcKind,
            Name = meta.Name,
            Namespace = meta.Namespace,
            Parents = HttpRouteTranslator.Parents(meta, spec),
            Hostnames = JsonFields.StringList(spec, "hostnames", "spec.hostnames"),
            Rules = rules.ToImmutable(),
        };
    }

    private static ImmutableArray<HttpRouteMatch> Matches(JsonObject rule, string path)
    {
        var list = JsonFields.Array(rule, "matches", $"{path}.matches");
        if (list is null || list.Count == 0)
        {
            return [new HttpRouteMatch { PathType = "PathPrefix", PathValue = "/", Headers = [GrpcContentType] }];
        }
        var matches = ImmutableArray.CreateBuilder<HttpRouteMatch>();
        for (var j = 0; j < list.Count; j++)
        {
            var mp = $"{path}.matches[{j}]";
            var m = list[j] as JsonObject ?? throw new TranslationException(mp, "expected an object");
            var (type, value) = Method(JsonFields.Object(m, "method", $"{mp}.method"), $"{mp}.method");
            matches.Add(new HttpRouteMatch { PathType = type, PathValue = value, Headers = [.. HttpRouteTranslator.HeaderMatches(m, mp), GrpcContentType] });
        }
        return matches.ToImmutable();
    }

    /// <summary>The path match of a GRPCMethodMatch (none: every path).</summary>
    public static (string Type, string Value) Method(JsonObject? method, string path)
    {
        if (method is null)
        {
            return ("PathPrefix", "/");
        }
        var type = JsonFields.String(method, "type", $"{path}.type") ?? "Exact";
        var service = JsonFields.String(method, "service", $"{path}.service") ?? "";
        var name = JsonFields.String(method, "method", $"{path}.method") ?? "";
        if (type == "Exact")
        {
            Check(service, @"^[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$", $"{path}.service", "a service name such as pkg.Service");
            Check(name, "^[A-Za-z_][A-Za-z_0-9]*$", $"{path}.method", "a method name");
            return (service.Length, name.Length) switch
            {
                ( > 0, > 0) => ("Exact", $"/{service}/{name}"),
                ( > 0, 0) => ("PathPrefix", $"/{service}"),
                (0, > 0) => ("RegularExpression", $"/[^/]+/{name}"),
                _ => throw RouteConditions.NotAccepted(path, RouteConditions.UnsupportedValue, "a method match needs a service, a method or both"),
            };
        }
        if (type != "RegularExpression")
        {
            throw RouteConditions.NotAccepted($"{path}.type", RouteConditions.UnsupportedValue, $"'{type}' is not Exact or RegularExpression");
        }
        foreach (var (value, field) in new[] { (service, "service"), (name, "method") })
        {
            try
            {
                _ = new Regex(value, RegexOptions.None, TimeSpan.FromMilliseconds(50));
            }
            catch (ArgumentException e)
            {
                throw RouteConditions.NotAccepted($"{path}.{field}", RouteConditions.UnsupportedValue, $"'{value}' is not a regular expression: {e.Message}");
            }
        }
        return ("RegularExpression", $"/({(service.Length == 0 ? "[^/]+" : service)})/({(name.Length == 0 ? "[^/]+" : name)})");
    }

    private static void Check(string value, string pattern, string path, string what)
    {
        if (value.Length > 0 && !Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(50)))
        {
            throw RouteConditions.NotAccepted(path, RouteConditions.UnsupportedValue, $"'{value}' is not {what}");
        }
    }
}
