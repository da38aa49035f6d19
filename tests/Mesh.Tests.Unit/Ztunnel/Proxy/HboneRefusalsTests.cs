using Mesh.Core.Hbone;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Proxy;

namespace Mesh.Tests.Unit.Ztunnel.Proxy;

public sealed class HboneRefusalsTests
{
    [Fact]
    public void Reason_EveryHboneError_HasARefusalReason()
    {
        foreach (var error in Enum.GetValues<HboneError>().Where(e => e != HboneError.None))
        {
            Assert.NotEqual(RefusalReason.None, HboneRefusals.Reason(error));
        }
        Assert.Equal(RefusalReason.None, HboneRefusals.Reason(HboneError.None));
    }

    [Theory]
    [InlineData(HboneError.ConnectFailed, "connect_refused")]
    [InlineData(HboneError.ConnectTimeout, "connect_timeout")]
    [InlineData(HboneError.TlsFailed, "tls_failed")]
    [InlineData(HboneError.PeerUntrusted, "peer_untrusted")]
    [InlineData(HboneError.PeerIdentityMismatch, "peer_identity_mismatch")]
    [InlineData(HboneError.Refused, "tunnel_refused")]
    [InlineData(HboneError.Reset, "tunnel_reset")]
    [InlineData(HboneError.ConnectionLost, "connection_lost")]
    [InlineData(HboneError.HandshakeLimit, "handshake_limit")]
    [InlineData(HboneError.HandshakeTimeout, "handshake_timeout")]
    [InlineData(HboneError.PeerLimit, "peer_limit")]
    [InlineData(HboneError.NoCredential, "no_certificate")]
    [InlineData(HboneError.RapidReset, "rapid_reset")]
    public void Reason_HboneOutcome_ReportedUnderItsLabel(HboneError error, string label)
    {
        Assert.Equal(label, HboneRefusals.Reason(error).Label());
    }

    [Fact]
    public void Reason_ClientOutcomes_EachItsOwnReason()
    {
        HboneError[] client = [HboneError.ConnectFailed, HboneError.ConnectTimeout, HboneError.TlsFailed, HboneError.PeerUntrusted, HboneError.PeerIdentityMismatch,
            HboneError.Refused, HboneError.Reset, HboneError.ConnectionLost];

        Assert.Equal(client.Length, client.Select(HboneRefusals.Reason).Distinct().Count());
    }

    [Fact]
    public void Detail_RefusedConnect_KeepsThePeersStatus()
    {
        Assert.Equal("status 403", HboneRefusals.Detail(HboneConnectResult.Failed(HboneError.Refused, null, 403)));
        Assert.Equal("expected spiffe://x", HboneRefusals.Detail(HboneConnectResult.Failed(HboneError.PeerIdentityMismatch, "expected spiffe://x")));
        Assert.Equal("TlsFailed", HboneRefusals.Detail(HboneConnectResult.Failed(HboneError.TlsFailed)));
    }
}
