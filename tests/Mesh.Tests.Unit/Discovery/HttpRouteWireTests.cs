using System.Text.Json;
using Mesh.Core.Discovery;
using Mesh.Core.Model;

namespace Mesh.Tests.Unit.Discovery;

public sealed class HttpRouteWireTests
{
    [Fact]
    public void StrictRead_GrpcRouteWithEveryFilter_RoundTripsUnchanged()
    {
        var filters = new HttpRouteFilters
        {
            RequestHeaders = new HttpHeaderModifier { Set = [new("x-a", "1")], Add = [new("x-b", "2")], Remove = ["x-c"] },
            ResponseHeaders = new HttpHeaderModifier { Remove = ["x-d"] },
            Rewrite = new HttpUrlRewrite { Hostname = "h", Path = new HttpPathModifier("ReplacePrefixMatch", "/v2") },
            Mirrors = [new HttpBackendRef("app", "shadow", 80)],
        };
        var route = new HttpRoute
        {
            Kind = HttpRoute.GrpcKind,
            Name = "g",
            Namespace = "app",
            Parents = [new HttpRouteParent("Service", "app", "echo", 80)],
            Rules =
            [
                new HttpRouteRule
                {
                    Filters = filters,
                    Backends = [new HttpBackendRef("app", "echo", 80, 2, new HttpRouteFilters { Unresolved = "ExtensionRef x" })],
                    Retry = new HttpRetry { Attempts = 2, GrpcCodes = [14] },
                },
                new HttpRouteRule { Filters = new HttpRouteFilters { Redirect = new HttpRedirect { Scheme = "https", Port = 8443, StatusCode = 301 } } },
            ],
        };

        var json = JsonSerializer.Serialize(route, DiscoveryJson.Context.HttpRoute);
        var back = JsonSerializer.Deserialize(json, DiscoveryJson.Strict<HttpRoute>())!;

        Assert.Equal(json, JsonSerializer.Serialize(back, DiscoveryJson.Context.HttpRoute));
        Assert.Equal("GRPCRoute:app/g", back.ResourceName);
        Assert.Equal("x-a", back.Rules[0].Filters.RequestHeaders!.Set[0].Name);
        Assert.Equal("ExtensionRef x", back.Rules[0].Backends[0].Filters!.Unresolved);
        Assert.Equal(14, back.Rules[0].Retry!.GrpcCodes[0]);
        Assert.Equal(301, back.Rules[1].Filters.Redirect!.StatusCode);
    }
}
