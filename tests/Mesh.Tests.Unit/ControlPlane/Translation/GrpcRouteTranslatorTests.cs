using Mesh.ControlPlane;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Model;

namespace Mesh.Tests.Unit.ControlPlane.Translation;

public sealed class GrpcRouteTranslatorTests
{
    private static TranslationResult Translate(string rules, string annotations = "{}") => MeshTranslator.Translate(YamlDocuments.Parse($$"""
        apiVersion: v1
        kind: Service
        metadata: {name: echo, namespace: app}
        spec: {ports: [{port: 80}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: GRPCRoute
        metadata: {name: g, namespace: app, annotations: {{annotations}}}
        spec:
          parentRefs: [{kind: Service, name: echo, port: 80}]
          rules:
        {{rules}}
        """));

    [Fact]
    public void Translate_MethodMatches_PathMatchesPlusGrpcContentType()
    {
        var result = Translate("""
              - matches:
                - method: {service: echo.Echo, method: Get}
                - method: {service: echo.Echo}
                - method: {method: Get}
                - method: {type: RegularExpression, service: 'echo\..*', method: 'G.t'}
                  headers: [{name: x-tenant, value: a}]
                backendRefs: [{name: echo, port: 80, weight: 3}]
            """);

        Assert.Empty(result.Errors);
        var route = Assert.Single(result.State.HttpRoutes);
        Assert.Equal((HttpRoute.GrpcKind, "GRPCRoute:app/g"), (route.Kind, route.ResourceName));
        var matches = Assert.Single(route.Rules).Matches;
        Assert.Equal([("Exact", "/echo.Echo/Get"), ("PathPrefix", "/echo.Echo"), ("RegularExpression", "/[^/]+/Get"), ("RegularExpression", @"/(echo\..*)/(G.t)")],
            matches.Select(m => (m.PathType!, m.PathValue!)));
        Assert.All(matches, m => Assert.Equal(GrpcRouteTranslator.GrpcContentType, m.Headers[^1]));
        Assert.Equal(new HttpHeaderMatch("x-tenant", "a"), matches[3].Headers[0]);
        Assert.Equal(3, Assert.Single(route.Rules[0].Backends).Weight);
    }

    [Fact]
    public void Translate_RuleWithoutMatches_EveryGrpcCall()
    {
        var route = Assert.Single(Translate("""
              - backendRefs: [{name: echo, port: 80}]
            """).State.HttpRoutes);

        var match = Assert.Single(Assert.Single(route.Rules).Matches);
        Assert.Equal(("PathPrefix", "/"), (match.PathType, match.PathValue));
        Assert.Equal([GrpcRouteTranslator.GrpcContentType], match.Headers.ToArray());
    }

    [Fact]
    public void Translate_RetryAnnotations_EveryRuleRetriesThoseCodesWithinTheBudget()
    {
        var route = Assert.Single(Translate("""
              - backendRefs: [{name: echo, port: 80}]
            """, "{retry.mesh.dev/grpc: unavailable, retry.mesh.dev/limit: '5', retry.mesh.dev/budget-ratio: '0.5'}").State.HttpRoutes);

        var retry = Assert.Single(route.Rules).Retry!;
        Assert.Equal((5, 0.5), (retry.Attempts, retry.Budget.Ratio));
        Assert.Equal([14], retry.GrpcCodes.ToArray());
        Assert.Empty(retry.Codes);
    }

    [Fact]
    public void Translate_HeaderFiltersAndMirror_Kept()
    {
        var route = Assert.Single(Translate("""
              - filters:
                - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-a, value: "1"}]}}
                - {type: ResponseHeaderModifier, responseHeaderModifier: {remove: [x-b]}}
                - {type: RequestMirror, requestMirror: {backendRef: {name: echo, port: 80}}}
                backendRefs: [{name: echo, port: 80}]
            """).State.HttpRoutes);

        var f = Assert.Single(route.Rules).Filters;
        Assert.Equal("x-a", Assert.Single(f.RequestHeaders!.Set).Name);
        Assert.Equal(["x-b"], f.ResponseHeaders!.Remove.ToArray());
        Assert.Single(f.Mirrors);
    }

    [Theory]
    [InlineData("filters: [{type: URLRewrite, urlRewrite: {hostname: a}}]", "filter type 'URLRewrite' is not supported here")]
    [InlineData("matches: [{method: {service: 'bad service'}}]", "is not a service name")]
    [InlineData("matches: [{method: {type: Prefix, service: a}}]", "'Prefix' is not Exact or RegularExpression")]
    [InlineData("matches: [{method: {}}]", "needs a service, a method or both")]
    [InlineData("matches: [{method: {type: RegularExpression, service: '('}}]", "is not a regular expression")]
    public void Translate_Invalid_NotAcceptedWithReason(string field, string detail)
    {
        var result = Translate($"""
              - {field}
                backendRefs: [{"{"}name: echo, port: 80{"}"}]
            """);

        Assert.Empty(result.State.HttpRoutes);
        var error = Assert.Single(result.Errors);
        Assert.Equal("GRPCRoute", error.Kind);
        Assert.StartsWith("Accepted=False (UnsupportedValue): ", error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_KubernetesResources_IncludeGrpcRoutes()
    {
        Assert.Contains(KubeResource.All, r => r is { Group: "gateway.networking.k8s.io", Version: "v1", Plural: "grpcroutes", Kind: "GRPCRoute" });
        Assert.Contains(("gateway.networking.k8s.io", "grpcroutes", "watch"), ControlPlanePermissions.ClusterWide);
    }
}
