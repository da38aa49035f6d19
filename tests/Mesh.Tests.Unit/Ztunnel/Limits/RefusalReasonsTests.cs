using System.Text.RegularExpressions;
using Mesh.Ztunnel.Limits;

namespace Mesh.Tests.Unit.Ztunnel.Limits;

public sealed class RefusalReasonsTests
{
    [Fact]
    public void Label_EveryReason_OwnSnakeCaseLabel()
    {
        var reasons = Enum.GetValues<RefusalReason>().Where(r => r != RefusalReason.None).ToArray();
        var labels = reasons.Select(r => r.Label()).ToArray();

        Assert.All(reasons, r => Assert.Matches(new Regex("^[a-z]+(_[a-z]+)*$"), r.Label()));
        Assert.All(reasons, r => Assert.NotEqual("none", r.Label())); // "none" is the fallback of a reason without a label
        var shared = labels.GroupBy(l => l).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(shared.Length == 0, $"labels shared by several reasons: {string.Join(", ", shared)}");
    }

    [Theory]
    [InlineData(RefusalReason.NoOriginalDestination, "no_original_destination")]
    [InlineData(RefusalReason.UnknownPod, "unknown_pod")]
    [InlineData(RefusalReason.NoHealthyEndpoints, "no_healthy_endpoints")]
    [InlineData(RefusalReason.ServicePortNotFound, "service_port_not_found")]
    [InlineData(RefusalReason.WaypointUnavailable, "waypoint_unavailable")]
    [InlineData(RefusalReason.PeerIdentityMismatch, "peer_identity_mismatch")]
    [InlineData(RefusalReason.TunnelRefused, "tunnel_refused")]
    [InlineData(RefusalReason.PolicyDenied, "policy_denied")]
    [InlineData(RefusalReason.ClientLeft, "client_left")]
    public void Label_Reason_IsTheDocumentedLabel(RefusalReason reason, string label)
    {
        Assert.Equal(label, reason.Label());
    }
}
