using Mesh.Waypoint;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class WaypointOptionsTests
{
    private static readonly Dictionary<string, string> LabEnv = new()
    {
        ["MESH_CONTROL_PLANE"] = "https://198.19.0.1:15012",
        ["MESH_ROOT_CERT"] = "/run/mesh-lab/x/mesh/cp/ca/trust-bundle.pem",
        ["MESH_TOKEN_FILE"] = "/run/mesh-lab/x/mesh/tokens/node2",
        ["NODE_NAME"] = "node2",
        ["POD_NAMESPACE"] = "app",
        ["GATEWAY_NAME"] = "waypoint",
        ["SERVICE_ACCOUNT"] = "waypoint-sa",
    };

    [Fact]
    public void Parse_EnvironmentOnly_AsTheLabSetsIt()
    {
        var o = WaypointOptions.Parse([], LabEnv.GetValueOrDefault);

        Assert.Equal(new Uri("https://198.19.0.1:15012"), o.ControlPlane);
        Assert.Equal("node2", o.Node);
        Assert.Equal("spiffe://cluster.local/ns/app/sa/waypoint-sa", o.Identity.ToString());
        Assert.Equal(new Mesh.Core.Model.NamespacedName("app", "waypoint"), o.GatewayKey);
        Assert.Equal(15008, o.HbonePort);
    }

    [Fact]
    public void Parse_FlagsOverrideEnvironment_ServiceAccountDefaultsToGateway()
    {
        var env = new Dictionary<string, string>(LabEnv);
        env.Remove("SERVICE_ACCOUNT");

        var o = WaypointOptions.Parse(["--gateway", "gw2", "--hbone-port", "16008"], env.GetValueOrDefault);

        Assert.Equal("gw2", o.Gateway);
        Assert.Equal("gw2", o.ServiceAccount);
        Assert.Equal(16008, o.HbonePort);
    }

    [Fact]
    public void Parse_MissingControlPlane_SaysWhatToSet()
    {
        var env = new Dictionary<string, string>(LabEnv);
        env.Remove("MESH_CONTROL_PLANE");

        var e = Assert.Throws<WaypointConfigException>(() => WaypointOptions.Parse([], env.GetValueOrDefault));

        Assert.Contains("MESH_CONTROL_PLANE", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--control-plane", "http://198.19.0.1:15012")]
    [InlineData("--hbone-port", "0")]
    [InlineData("--listen", "nope")]
    [InlineData("--bogus", "1")]
    public void Parse_BadValue_Throws(string flag, string value)
    {
        Assert.Throws<WaypointConfigException>(() => WaypointOptions.Parse([flag, value], LabEnv.GetValueOrDefault));
    }

    [Fact]
    public void Parse_NoOtlpEndpoint_TracingOffAtIstiosDefaultSampling()
    {
        var o = WaypointOptions.Parse([], LabEnv.GetValueOrDefault);

        Assert.Null(o.OtlpEndpoint);
        Assert.Equal(0.01, o.TraceSampling);
    }

    [Fact]
    public void Parse_OtlpEndpointFromEnvironment_TracingOnWithTheSamplingGiven()
    {
        var env = new Dictionary<string, string>(LabEnv) { ["MESH_OTLP_ENDPOINT"] = "http://127.0.0.1:4318", ["MESH_TRACE_SAMPLING"] = "0.25" };

        var o = WaypointOptions.Parse([], env.GetValueOrDefault);

        Assert.Equal(new Uri("http://127.0.0.1:4318"), o.OtlpEndpoint);
        Assert.Equal(0.25, o.TraceSampling);
        Assert.Equal(new Uri("http://127.0.0.1:4318/v1/traces"), Mesh.Waypoint.Tracing.TraceExport.TracesUri(o.OtlpEndpoint!));
    }

    [Fact]
    public void Parse_OtelStandardEndpointVariable_UsedWhenNoMeshOne()
    {
        var env = new Dictionary<string, string>(LabEnv) { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318/" };

        var o = WaypointOptions.Parse([], env.GetValueOrDefault);

        Assert.Equal(new Uri("http://collector:4318/v1/traces"), Mesh.Waypoint.Tracing.TraceExport.TracesUri(o.OtlpEndpoint!));
    }

    [Theory]
    [InlineData("--otlp-endpoint", "collector:4318", "--otlp-endpoint 'collector:4318' must be an http:// or https:// URL")]
    [InlineData("--trace-sampling", "5%", "--trace-sampling '5%' must be a number from 0 to 1")]
    [InlineData("--trace-sampling", "1.5", "--trace-sampling '1.5' must be a number from 0 to 1")]
    public void Parse_BadTracingValue_OneLineSayingWhatToWrite(string flag, string value, string message)
    {
        var e = Assert.Throws<WaypointConfigException>(() => WaypointOptions.Parse([flag, value], LabEnv.GetValueOrDefault));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }
}
