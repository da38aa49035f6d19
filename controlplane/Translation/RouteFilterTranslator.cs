using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// Gateway API filters (HTTPRouteFilter, GRPCRouteFilter) -> <see cref="HttpRouteFilters"/>. What Gateway API rejects
/// is not accepted (<see cref="RouteConditions.NotAccepted"/>): an unknown type or one this place does not allow,
/// a type without its settings, a type repeated (only RequestMirror may be), RequestRedirect with URLRewrite, a bad
/// scheme, status code, port, hostname, path or header name. An ExtensionRef is kept as unresolved (the rule answers
/// 500, as the spec asks for a filter that cannot be resolved) and reported by the caller.
/// </summary>
internal static class RouteFilterTranslator
{
    public const string RequestHeaderModifier = "RequestHeaderModifier";
    public const string ResponseHeaderModifier = "ResponseHeaderModifier";
    public const string RequestRedirect = "RequestRedirect";
    public const string UrlRewrite = "URLRewrite";
    public const string RequestMirror = "RequestMirror";
    public const string ExtensionRef = "ExtensionRef";

    /// <summary>HTTPRoute rule filters.</summary>
    public static readonly string[] HttpRule = [RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, UrlRewrite, RequestMirror, ExtensionRef];

    /// <summary>HTTPBackendRef filters: a redirect answers before any backend is chosen, so it has no place there.</summary>
    public static readonly string[] HttpBackend = [RequestHeaderModifier, ResponseHeaderModifier, UrlRewrite, RequestMirror, ExtensionRef];

    /// <summary>GRPCRoute rule and backendRef filters.</summary>
    public static readonly string[] Grpc = [RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, ExtensionRef];

    private const int MaxHeaders = 16;

    public static HttpRouteFilters Translate(ObjectMeta meta, JsonArray? list, string path, string[] allowed)
    {
        var filters = HttpRouteFilters.None;
        if (list is null || list.Count == 0)
        {
            return filters;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var mirrors = ImmutableArray.CreateBuilder<HttpBackendRef>();
        for (var i = 0; i < list.Count; i++)
        {
            var fp = $"{path}[{i}]";
            var f = list[i] as JsonObject ?? throw new TranslationException(fp, "expected an object");
            var type = JsonFields.String(f, "type", $"{fp}.type")
                ?? throw RouteConditions.NotAccepted($"{fp}.type", RouteConditions.UnsupportedValue, "type is required");
            if (Array.IndexOf(allowed, type) < 0)
            {
                throw RouteConditions.NotAccepted($"{fp}.type", RouteConditions.UnsupportedValue,
                    $"filter type '{type}' is not supported here (use one of {string.Join(", ", allowed)})");
            }
            if (type is not (RequestMirror or ExtensionRef) && !seen.Add(type))
            {
                throw RouteConditions.NotAccepted($"{fp}.type", RouteConditions.IncompatibleFilters, $"{type} may appear only once in a filter list");
            }
            var settings = Settings(f, type, fp);
            var sp = $"{fp}.{SettingsField(type)}";
            filters = type switch
            {
                RequestHeaderModifier => filters with { RequestHeaders = Headers(settings, sp) },
                ResponseHeaderModifier => filters with { ResponseHeaders = Headers(settings, sp) },
                RequestRedirect => filters with { Redirect = Redirect(settings, sp) },
                UrlRewrite => filters with { Rewrite = Rewrite(settings, sp) },
                RequestMirror => filters,
                _ => filters with { Unresolved = filters.Unresolved ?? Extension(settings, sp) },
            };
            if (type == RequestMirror)
            {
                mirrors.Add(Mirror(meta, settings, sp));
            }
        }
        if (filters.Redirect is not null && filters.Rewrite is not null)
        {
            throw RouteConditions.NotAccepted(path, RouteConditions.IncompatibleFilters, "RequestRedirect and URLRewrite cannot be combined");
        }
        return filters with { Mirrors = mirrors.ToImmutable() };
    }

    private static string SettingsField(string type) => type switch
    {
        UrlRewrite => "urlRewrite",
        _ => char.ToLowerInvariant(type[0]) + type[1..],
    };

    private static JsonObject Settings(JsonObject filter, string type, string path)
    {
        var field = SettingsField(type);
        return JsonFields.Object(filter, field, $"{path}.{field}")
            ?? throw RouteConditions.NotAccepted($"{path}.{field}", RouteConditions.UnsupportedValue, $"{field} is required for type {type}");
    }

    private static HttpHeaderModifier Headers(JsonObject m, string path)
    {
        JsonFields.RejectUnknown(m, path, "set", "add", "remove");
        ImmutableArray<HttpHeaderValue> Values(string field)
        {
            var list = JsonFields.Array(m, field, $"{path}.{field}");
            var b = ImmutableArray.CreateBuilder<HttpHeaderValue>();
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                var hp = $"{path}.{field}[{i}]";
                var h = list![i] as JsonObject ?? throw new TranslationException(hp, "expected an object");
                var name = HeaderName(JsonFields.String(h, "name", $"{hp}.name"), $"{hp}.name");
                if (b.Any(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw RouteConditions.NotAccepted($"{hp}.name", RouteConditions.UnsupportedValue, $"header '{name}' is listed twice in {field}");
                }
                b.Add(new HttpHeaderValue(name, JsonFields.String(h, "value", $"{hp}.value")
                    ?? throw RouteConditions.NotAccepted($"{hp}.value", RouteConditions.UnsupportedValue, "value is required")));
            }
            return Limit(b.ToImmutable(), $"{path}.{field}");
        }
        var remove = JsonFields.StringList(m, "remove", $"{path}.remove");
        for (var i = 0; i < remove.Length; i++)
        {
            HeaderName(remove[i], $"{path}.remove[{i}]");
        }
        return new HttpHeaderModifier { Set = Values("set"), Add = Values("add"), Remove = Limit(remove, $"{path}.remove") };
    }

    private static ImmutableArray<T> Limit<T>(ImmutableArray<T> list, string path) => list.Length <= MaxHeaders
        ? list
        : throw RouteConditions.NotAccepted(path, RouteConditions.UnsupportedValue, $"at most {MaxHeaders} entries ({list.Length} given)");

    /// <summary>An HTTP token (RFC 9110), not a pseudo-header.</summary>
    private static string HeaderName(string? name, string path)
    {
        if (string.IsNullOrEmpty(name) || !name.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))))
        {
            throw RouteConditions.NotAccepted(path, RouteConditions.UnsupportedValue, $"'{name}' is not a valid header name");
        }
        return name;
    }

    private static HttpRedirect Redirect(JsonObject r, string path)
    {
        JsonFields.RejectUnknown(r, path, "scheme", "hostname", "path", "port", "statusCode");
        var scheme = JsonFields.String(r, "scheme", $"{path}.scheme");
        if (scheme is not (null or "http" or "https"))
        {
            throw RouteConditions.NotAccepted($"{path}.scheme", RouteConditions.UnsupportedValue, $"scheme '{scheme}' is not http or https");
        }
        var status = JsonFields.Integer(r, "statusCode", $"{path}.statusCode") ?? 302;
        if (status is not (301 or 302 or 303 or 307 or 308))
        {
            throw RouteConditions.NotAccepted($"{path}.statusCode", RouteConditions.UnsupportedValue, $"status code {status} is not 301, 302, 303, 307 or 308");
        }
        return new HttpRedirect
        {
            Scheme = scheme,
            Hostname = Hostname(r, path),
            Port = r["port"] is null ? null : JsonFields.Port(r["port"], $"{path}.port"),
            Path = PathModifier(r, path),
            StatusCode = (int)status,
        };
    }

    private static HttpUrlRewrite Rewrite(JsonObject r, string path)
    {
        JsonFields.RejectUnknown(r, path, "hostname", "path");
        return new HttpUrlRewrite { Hostname = Hostname(r, path), Path = PathModifier(r, path) };
    }

    private static string? Hostname(JsonObject r, string path)
    {
        var host = JsonFields.String(r, "hostname", $"{path}.hostname");
        if (host is not null && (host.Length == 0 || host.Length > 253 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
        {
            throw RouteConditions.NotAccepted($"{path}.hostname", RouteConditions.UnsupportedValue, $"'{host}' is not a hostname (letters, digits, '-' and '.')");
        }
        return host;
    }

    private static HttpPathModifier? PathModifier(JsonObject r, string path)
    {
        if (JsonFields.Object(r, "path", $"{path}.path") is not { } p)
        {
            return null;
        }
        var type = JsonFields.String(p, "type", $"{path}.path.type");
        var field = type switch
        {
            "ReplaceFullPath" => "replaceFullPath",
            "ReplacePrefixMatch" => "replacePrefixMatch",
            _ => throw RouteConditions.NotAccepted($"{path}.path.type", RouteConditions.UnsupportedValue, $"path type '{type}' is not ReplaceFullPath or ReplacePrefixMatch"),
        };
        var value = JsonFields.String(p, field, $"{path}.path.{field}")
            ?? throw RouteConditions.NotAccepted($"{path}.path.{field}", RouteConditions.UnsupportedValue, $"{field} is required for type {type}");
        if (value.Length > 0 && value[0] != '/' || value.Contains('?', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal))
        {
            throw RouteConditions.NotAccepted($"{path}.path.{field}", RouteConditions.UnsupportedValue, $"'{value}' is not an absolute path without query or fragment");
        }
        return new HttpPathModifier(type!, value);
    }

    private static HttpBackendRef Mirror(ObjectMeta meta, JsonObject m, string path)
    {
        var b = JsonFields.Object(m, "backendRef", $"{path}.backendRef")
            ?? throw RouteConditions.NotAccepted($"{path}.backendRef", RouteConditions.UnsupportedValue, "backendRef is required");
        var kind = JsonFields.String(b, "kind", $"{path}.backendRef.kind") ?? "Service";
        if (kind != "Service")
        {
            throw RouteConditions.NotAccepted($"{path}.backendRef.kind", RouteConditions.UnsupportedValue, $"mirror kind '{kind}' is not supported (only Service)");
        }
        return new HttpBackendRef(
            JsonFields.String(b, "namespace", $"{path}.backendRef.namespace") ?? meta.Namespace,
            JsonFields.String(b, "name", $"{path}.backendRef.name") ?? throw new TranslationException($"{path}.backendRef.name", "name is required"),
            JsonFields.Port(b["port"], $"{path}.backendRef.port"));
    }

    private static string Extension(JsonObject e, string path)
    {
        var group = JsonFields.String(e, "group", $"{path}.group") ?? "";
        var kind = JsonFields.String(e, "kind", $"{path}.kind") ?? "";
        var name = JsonFields.String(e, "name", $"{path}.name") ?? "";
        return $"ExtensionRef {(group.Length == 0 ? "" : group + "/")}{kind} {name}";
    }
}
