using System.Collections.Immutable;
using System.Net;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Model;
using Mesh.Core.Identity;
using Mesh.Waypoint.Authorization;
using Mesh.Ztunnel.Inbound;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>AuthorizationPolicy targetRefs: translated for the waypoint and not enforced by ztunnel at L4, except the
/// fail-closed stand-in of a policy written with both targetRefs and selector, which denies at both.</summary>
public sealed class WaypointPolicyTranslationTests
{
    private const string Policy = """
        apiVersion: security.mesh.dev/v1
        kind: AuthorizationPolicy
        metadata: {name: get-only, namespace: app}
        spec:
          targetRefs: [{kind: Service, group: "", name: echo}, {kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
          action: ALLOW
          rules: [{to: [{operation: {methods: [GET], paths: ["/api/*"]}}]}]
        """;

    [Fact]
    public void Translate_TargetRefs_KeptWithL7Rules()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse(Policy));

        Assert.Empty(result.Errors);
        var p = Assert.Single(result.State.Policies);
        Assert.Equal([new PolicyTargetRef("Service", "echo"), new PolicyTargetRef("Gateway", "waypoint")], p.TargetRefs.ToArray());
        Assert.Equal(["GET"], Assert.Single(p.Rules).Methods.ToArray());
    }

    private static readonly Workload EchoPod = new()
    {
        Uid = "app/echo", Name = "echo", Namespace = "app", Node = "n", Addresses = [IPAddress.Parse("198.18.1.3")],
        Labels = ImmutableDictionary<string, string>.Empty.Add("app", "echo"),
    };

    private static readonly Workload OtherPod = EchoPod with
    {
        Uid = "app/other", Name = "other", Addresses = [IPAddress.Parse("198.18.1.4")], Labels = ImmutableDictionary<string, string>.Empty.Add("app", "other"),
    };

    private static string WithSelector(string policy) =>
        policy.Replace("  action: ALLOW", "  selector: {matchLabels: {app: echo}}\n  action: ALLOW", StringComparison.Ordinal);

    [Fact]
    public void Translate_TargetRefsAndSelector_ErrorSaysDenyAtPodsAndWaypoint()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse(WithSelector(Policy)));

        var error = Assert.Single(result.Errors, e => e.Field == "spec.targetRefs");
        Assert.Contains("denying all traffic to the workloads of namespace app labelled app=echo (ztunnel) and at the waypoint for Service/echo, Gateway/waypoint", error.Message);
        var p = Assert.Single(result.State.Policies);
        Assert.Equal(PolicyAction.Deny, p.Action);
        Assert.Equal(2, p.TargetRefs.Length);
    }

    [Fact]
    public void Authorize_TargetRefsAndSelector_SelectedPodRefusesAndWaypointDenies()
    {
        var state = MeshTranslator.Translate(YamlDocuments.Parse(WithSelector(Policy))).State;
        var withPods = MeshState.Build(1, [EchoPod, OtherPod], [], [], state.Policies);
        var client = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");

        var l4 = L4Authorizer.Authorize(withPods, EchoPod, ConnectionFacts.MutualTls(client, 8080), MtlsMode.Permissive);
        var l4Other = L4Authorizer.Authorize(withPods, OtherPod, ConnectionFacts.MutualTls(client, 8080), MtlsMode.Permissive);
        var l7 = L7Authorizer.Authorize(state.Policies, new NamespacedName("app", "waypoint"), new Service { Name = "echo", Namespace = "app" },
            new L7RequestFacts(client, 80, "GET", "/api/x"));

        Assert.Equal(new AuthorizationDecision(false, AuthorizationReason.DenyPolicyMatched, "app/get-only"), l4);
        Assert.True(l4Other.Allowed);
        Assert.Equal(new L7Decision(false, "app/get-only"), l7);
    }

    [Fact]
    public void Translate_BrokenPolicyWithTargetRefsOnly_DeniesAtWaypointNotAtPods()
    {
        var broken = Policy.Replace("action: ALLOW", "action: AUDIT", StringComparison.Ordinal);
        var result = MeshTranslator.Translate(YamlDocuments.Parse(broken));
        var state = MeshState.Build(1, [EchoPod], [], [], result.State.Policies);
        var client = SpiffeId.Parse("spiffe://cluster.local/ns/app/sa/client");

        Assert.Contains(result.Errors, e => e.Message.Contains("denying all traffic at the waypoint for Service/echo, Gateway/waypoint", StringComparison.Ordinal));
        Assert.True(L4Authorizer.Authorize(state, EchoPod, ConnectionFacts.MutualTls(client, 8080), MtlsMode.Permissive).Allowed);
        Assert.False(L7Authorizer.Authorize(state.Policies, new NamespacedName("app", "waypoint"), null, new L7RequestFacts(client, 80, "GET", "/")).Allowed);
    }

    [Theory]
    [InlineData("ALLOW", "allows nothing")]
    [InlineData("DENY", "denies on its other fields alone")]
    public void Translate_L7RulesWithoutTargetRefs_StatusSaysHowZtunnelEnforcesThem(string action, string expected)
    {
        var yaml = Policy.Replace("  targetRefs: [{kind: Service, group: \"\", name: echo}, {kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]\n", "", StringComparison.Ordinal)
            .Replace("action: ALLOW", $"action: {action}", StringComparison.Ordinal);

        var result = MeshTranslator.Translate(YamlDocuments.Parse(yaml));

        var p = Assert.Single(result.State.Policies);
        Assert.Equal(["GET"], Assert.Single(p.Rules).Methods.ToArray());
        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.rules", error.Field);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Translate_UnsupportedTargetKind_Error()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse(Policy.Replace("kind: Service, group: \"\"", "kind: Namespace, group: \"\"", StringComparison.Ordinal)));

        Assert.Contains(result.Errors, e => e.Field == "spec.targetRefs[0].kind");
    }

    [Fact]
    public void L4Authorizer_PolicyWithTargetRefs_NotApplied()
    {
        var policy = MeshTranslator.Translate(YamlDocuments.Parse(Policy)).State.Policies.Single();

        Assert.False(L4Authorizer.AppliesTo(policy, EchoPod));
    }
}
