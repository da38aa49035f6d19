using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Model;

namespace Mesh.Tests.Unit.ControlPlane.Translation;

public sealed class RouteFilterTranslatorTests
{
    private const string Services = """
        apiVersion: v1
        kind: Service
        metadata: {name: echo, namespace: app}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: shadow, namespace: app}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: other, namespace: app}
        spec:
          parentRefs: [{kind: Service, name: echo}]
          rules: [{backendRefs: [{name: echo, port: 80}]}]
        ---

        """;

    private static TranslationResult Translate(string rules, string annotations = "{}") => MeshTranslator.Translate(YamlDocuments.Parse(Services + $$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: app, annotations: {{annotations}}}
        spec:
          parentRefs: [{kind: Service, name: echo}]
          rules:
        {{rules}}
        """));

    private static HttpRoute Route(TranslationResult result) => result.State.HttpRoutes.Single(r => r.Name == "r");

    [Fact]
    public void Translate_EveryFilterType_KeptWithItsSettings()
    {
        var result = Translate("""
              - matches: [{path: {type: PathPrefix, value: /api}}]
                filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier:
                    set: [{name: x-set, value: s}]
                    add: [{name: x-add, value: a}]
                    remove: [x-drop]
                - type: ResponseHeaderModifier
                  responseHeaderModifier: {add: [{name: x-resp, value: r}]}
                - type: URLRewrite
                  urlRewrite: {hostname: new.example, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
                - type: RequestMirror
                  requestMirror: {backendRef: {name: shadow, port: 80}}
                backendRefs:
                - name: echo
                  port: 80
                  filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-backend, value: b}]}}]
              - matches: [{path: {type: Exact, value: /old}}]
                filters: [{type: RequestRedirect, requestRedirect: {scheme: https, hostname: example.com, port: 8443, statusCode: 301, path: {type: ReplaceFullPath, replaceFullPath: /new}}}]
            """);

        Assert.Empty(result.Errors);
        var route = Route(result);
        var f = route.Rules[0].Filters;
        Assert.Equal([new HttpHeaderValue("x-set", "s")], f.RequestHeaders!.Set.ToArray());
        Assert.Equal([new HttpHeaderValue("x-add", "a")], f.RequestHeaders.Add.ToArray());
        Assert.Equal(["x-drop"], f.RequestHeaders.Remove.ToArray());
        Assert.Equal([new HttpHeaderValue("x-resp", "r")], f.ResponseHeaders!.Add.ToArray());
        Assert.Equal(new HttpUrlRewrite { Hostname = "new.example", Path = new HttpPathModifier("ReplacePrefixMatch", "/v2") }, f.Rewrite);
        Assert.Equal(new HttpBackendRef("app", "shadow", 80), Assert.Single(f.Mirrors));
        Assert.Equal([new HttpHeaderValue("x-backend", "b")], Assert.Single(route.Rules[0].Backends).Filters!.RequestHeaders!.Set.ToArray());
        Assert.Equal(new HttpRedirect { Scheme = "https", Hostname = "example.com", Port = 8443, StatusCode = 301, Path = new HttpPathModifier("ReplaceFullPath", "/new") },
            route.Rules[1].Filters.Redirect);
    }

    [Fact]
    public void Translate_RedirectWithoutStatusCode_Defaults302()
    {
        var result = Translate("""
              - filters: [{type: RequestRedirect, requestRedirect: {hostname: example.com}}]
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(302, Route(result).Rules[0].Filters.Redirect!.StatusCode);
    }

    [Theory]
    [InlineData("[{type: RequestRedirect, requestRedirect: {scheme: https}}, {type: URLRewrite, urlRewrite: {hostname: a}}]", "IncompatibleFilters", "cannot be combined")]
    [InlineData("[{type: RequestHeaderModifier, requestHeaderModifier: {}}, {type: RequestHeaderModifier, requestHeaderModifier: {}}]", "IncompatibleFilters", "only once")]
    [InlineData("[{type: Teleport}]", "UnsupportedValue", "'Teleport' is not supported")]
    [InlineData("[{type: URLRewrite}]", "UnsupportedValue", "urlRewrite is required")]
    [InlineData("[{type: RequestRedirect, requestRedirect: {statusCode: 304}}]", "UnsupportedValue", "304")]
    [InlineData("[{type: RequestRedirect, requestRedirect: {scheme: ftp}}]", "UnsupportedValue", "ftp")]
    [InlineData("[{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: 'bad name', value: v}]}}]", "UnsupportedValue", "not a valid header name")]
    [InlineData("[{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: relative}}}]", "UnsupportedValue", "absolute path")]
    public void Translate_InvalidFilter_RouteNotAcceptedWithReasonOtherRoutesKept(string filters, string reason, string detail)
    {
        var result = Translate($"""
              - filters: {filters}
            """);

        Assert.DoesNotContain(result.State.HttpRoutes, r => r.Name == "r");
        Assert.Contains(result.State.HttpRoutes, r => r.Name == "other");
        var error = Assert.Single(result.Errors);
        Assert.Equal(("HTTPRoute", "app", "r"), (error.Kind, error.Namespace, error.Name));
        Assert.StartsWith($"Accepted=False ({reason}): ", error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_RedirectWithBackendRefs_NotAccepted()
    {
        var result = Translate("""
              - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]
                backendRefs: [{name: echo, port: 80}]
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("Accepted=False (IncompatibleFilters): RequestRedirect cannot be used together with backendRefs", error.Message);
        Assert.Equal("spec.rules[0].filters", error.Field);
    }

    [Fact]
    public void Translate_ReplacePrefixMatchOnExactMatch_NotAccepted()
    {
        var result = Translate("""
              - matches: [{path: {type: Exact, value: /a}}]
                filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}]
                backendRefs: [{name: echo, port: 80}]
            """);

        Assert.Contains("ReplacePrefixMatch needs every match of the rule to be a PathPrefix match", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_RedirectOnBackendRef_NotAccepted()
    {
        var result = Translate("""
              - backendRefs: [{name: echo, port: 80, filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]}]
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.rules[0].backendRefs[0].filters[0].type", error.Field);
        Assert.StartsWith("Accepted=False (UnsupportedValue): filter type 'RequestRedirect' is not supported here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_ExtensionRef_RouteKeptRuleUnresolvedAndReported()
    {
        var result = Translate("""
              - filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Auth, name: a}}]
                backendRefs: [{name: echo, port: 80}]
            """);

        Assert.Equal("ExtensionRef example.com/Auth a", Route(result).Rules[0].Filters.Unresolved);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ResolvedRefs=False (InvalidKind): ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_MirrorToUnknownService_RouteKeptResolvedRefsFalse()
    {
        var result = Translate("""
              - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: nowhere, port: 80}}}]
                backendRefs: [{name: echo, port: 80}]
            """);

        Assert.Single(Route(result).Rules[0].Filters.Mirrors);
        Assert.StartsWith("ResolvedRefs=False (BackendNotFound): the RequestMirror Service app/nowhere does not exist", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_GrpcRetryAnnotation_CodesAndLimitOnEveryRule()
    {
        var result = Translate("""
              - backendRefs: [{name: echo, port: 80}]
              - matches: [{path: {value: /x}}]
                backendRefs: [{name: echo, port: 80}]
                retry: {attempts: 4, codes: [503]}
            """, "{retry.mesh.dev/grpc: 'unavailable, RESOURCE_EXHAUSTED', retry.mesh.dev/limit: '3'}");

        Assert.Empty(result.Errors);
        var rules = Route(result).Rules;
        Assert.Equal(3, rules[0].Retry!.Attempts);
        Assert.Equal([14, 8], rules[0].Retry!.GrpcCodes.ToArray());
        Assert.Equal(4, rules[1].Retry!.Attempts);
        Assert.Equal([503], rules[1].Retry!.Codes.ToArray());
        Assert.Equal([14, 8], rules[1].Retry!.GrpcCodes.ToArray());
    }

    [Theory]
    [InlineData("{retry.mesh.dev/grpc: 'unavailable,teapot'}", "'teapot' is not a gRPC status code")]
    [InlineData("{retry.mesh.dev/grpc: ok}", "'ok' is not a gRPC status code")]
    [InlineData("{retry.mesh.dev/limit: '2'}", "needs retry.mesh.dev/grpc")]
    [InlineData("{retry.mesh.dev/grpc: unavailable, retry.mesh.dev/limit: '2.5'}", "not a whole number")]
    public void Translate_BadGrpcRetryAnnotation_ErrorNamesTheAnnotation(string annotations, string detail)
    {
        var result = Translate("""
              - backendRefs: [{name: echo, port: 80}]
            """, annotations);

        Assert.Contains(detail, Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.State.HttpRoutes, r => r.Name == "r");
    }
}
