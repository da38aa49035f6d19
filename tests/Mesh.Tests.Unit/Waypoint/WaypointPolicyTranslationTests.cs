using System.Collections.Immutable;
using System.Net;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Model;
using Mesh.Ztunnel.Inbound;

namespace Mesh.Tests.Unit.Waypoint;

/// <summary>AuthorizationPolicy targetRefs: translated for the waypoint, and never enforced by ztunnel at L4.</summary>
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

    [Fact]
    public void Translate_TargetRefsAndSelector_ErrorFailsClosedAtTheWaypoint()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse(Policy.Replace("  action: ALLOW", "  selector: {matchLabels: {app: echo}}\n  action: ALLOW", StringComparison.Ordinal)));

        Assert.Contains(result.Errors, e => e.Field == "spec.targetRefs");
        var p = Assert.Single(result.State.Policies);
        Assert.Equal(PolicyAction.Deny, p.Action);
        Assert.Equal(2, p.TargetRefs.Length);
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
        var echo = new Workload
        {
            Uid = "app/echo", Name = "echo", Namespace = "app", Node = "n", Addresses = [IPAddress.Parse("198.18.1.3")],
            Labels = ImmutableDictionary<string, string>.Empty.Add("app", "echo"),
        };

        Assert.False(L4Authorizer.AppliesTo(policy, echo));
    }
}
