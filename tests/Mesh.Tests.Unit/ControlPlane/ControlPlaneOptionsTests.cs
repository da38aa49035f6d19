using Mesh.ControlPlane;

namespace Mesh.Tests.Unit.ControlPlane;

public sealed class ControlPlaneOptionsTests
{
    [Fact]
    public void Parse_TokenReviewFlags_SetAudienceAndZtunnelServiceAccount()
    {
        var o = ControlPlaneOptions.Parse(["--registry", "kubernetes", "--token-audience", "istio-ca", "--ztunnel-service-account", "istio-system/ztunnel"]);

        Assert.Equal("istio-ca", o.TokenAudience);
        Assert.Equal("istio-system", o.ZtunnelNamespace);
        Assert.Equal("ztunnel", o.ZtunnelServiceAccount);
        o.ValidateForServe(); // no --node-tokens needed: callers are reviewed by the API server
        Assert.Contains("token-audience=istio-ca ztunnel-service-account=istio-system/ztunnel", o.ToString());
    }

    [Fact]
    public void Parse_Defaults_MeshCaAudienceAndMeshSystemZtunnel()
    {
        var o = ControlPlaneOptions.Parse(["--registry", "kubernetes"]);

        Assert.Equal("mesh-ca", o.TokenAudience);
        Assert.Equal(("mesh-system", "ztunnel"), (o.ZtunnelNamespace, o.ZtunnelServiceAccount));
    }

    [Theory]
    [InlineData("--ztunnel-service-account", "ztunnel", "is NAMESPACE/NAME")]
    [InlineData("--ztunnel-service-account", "a/b/c", "is NAMESPACE/NAME")]
    [InlineData("--token-audience", "", "non-empty audience")]
    public void Parse_BadTokenReviewFlag_OneLineSayingTheShape(string flag, string value, string expected)
    {
        var e = Assert.Throws<ControlPlaneOptionsException>(() => ControlPlaneOptions.Parse([flag, value]));

        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ValidateForServe_FileRegistryWithoutNodeTokens_SaysToPassThem()
    {
        var e = Assert.Throws<ControlPlaneOptionsException>(() => ControlPlaneOptions.Parse(["--registry", "file", "--dir", "/tmp"]).ValidateForServe());

        Assert.Contains("--registry file needs --node-tokens FILE", e.Message);
    }

    [Fact]
    public void Parse_WaypointImageAndLeaderLease_ReachTheControllerSettings()
    {
        var o = ControlPlaneOptions.Parse(["--registry", "kubernetes", "--waypoint-image", "reg.example/mesh/waypoint:2.0", "--leader-lease", "30s"]);

        Assert.Equal("reg.example/mesh/waypoint:2.0", o.WaypointImage);
        Assert.Equal(TimeSpan.FromSeconds(30), o.LeaderLease);
        o.ValidateForServe();
        Assert.Contains("waypoint-image=reg.example/mesh/waypoint:2.0 leader-lease=00:00:30", o.ToString());
        Assert.Equal(Mesh.ControlPlane.Waypoints.WaypointSettings.DefaultImage, ControlPlaneOptions.Parse([]).WaypointImage);
    }

    [Theory]
    [InlineData("--leader-lease", "1s", "too short (at least 3s")]
    [InlineData("--leader-lease", "soon", "is not a duration")]
    [InlineData("--waypoint-image", "", "needs an image")]
    public void Parse_BadWaypointOrLeaseFlag_OneLineSayingWhatToPass(string flag, string value, string expected)
    {
        var e = Assert.Throws<ControlPlaneOptionsException>(() => ControlPlaneOptions.Parse(["--registry", "kubernetes", flag, value]).ValidateForServe());

        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Parse_FlagAbsent_TakesItFromTheEnvironment()
    {
        var env = new Dictionary<string, string> { ["MESH_REGISTRY"] = "kubernetes", ["MESH_CERT_TTL"] = "1h", ["POD_NAMESPACE"] = "istio-system" };

        var o = ControlPlaneOptions.Parse(["--cert-ttl", "2h"], env.GetValueOrDefault);

        Assert.Equal(("kubernetes", "istio-system"), (o.Registry, o.Namespace));
        Assert.Equal(TimeSpan.FromHours(2), o.CertTtl);
    }

    [Theory]
    [InlineData("--registy kubernetes", "'--registy'")]
    [InlineData("--root-rotate-at 2", "--root-rotate-at is a fraction of the root's life in [0, 1)")]
    public void Parse_Wrong_OneLine(string commandLine, string said)
    {
        var e = Assert.Throws<ControlPlaneOptionsException>(() => ControlPlaneOptions.Parse(commandLine.Split(' ')));

        Assert.Contains(said, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(new[] { "--registry", "file", "--dir", "/tmp", "--node-tokens", "t.json", "--ca-secret", "mesh-system/mesh-ca" }, "--ca-secret needs --registry kubernetes")]
    [InlineData(new[] { "--registry", "kubernetes", "--ca-secret", "mesh-ca" }, "--ca-secret is NAMESPACE/NAME")]
    [InlineData(new[] { "--registry", "kubernetes", "--ca-secret", "a/b", "--ca-cert", "c.pem", "--ca-key", "k.pem" }, "both name the CA; give one")]
    [InlineData(new[] { "--registry", "kubernetes", "--intermediate-lifetime", "30d" }, "--intermediate-lifetime is for a user's root")]
    [InlineData(new[] { "--registry", "kubernetes", "--ca-secret", "a/b", "--intermediate-lifetime", "30s", "--cert-ttl", "20s" }, "lengthen --intermediate-lifetime or shorten --cert-ttl")]
    public void ValidateForServe_BadExternalCaFlags_OneLineSayingWhatToPass(string[] args, string expected)
    {
        var e = Assert.Throws<ControlPlaneOptionsException>(() => ControlPlaneOptions.Parse(args).ValidateForServe());

        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Parse_CaSecretWithIntermediateLifetime_ValidAndShownInTheEffectiveConfig()
    {
        var o = ControlPlaneOptions.Parse(["--registry", "kubernetes", "--ca-secret", "mesh-system/mesh-ca", "--intermediate-lifetime", "365d"]);

        o.ValidateForServe();
        Assert.Contains("ca=user-supplied Secret mesh-system/mesh-ca (a root: signing through its own intermediate, lifetime 365.00:00:00", o.ToString());
    }
}
