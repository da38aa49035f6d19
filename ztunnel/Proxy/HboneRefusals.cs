using Mesh.Core.Hbone;
using Mesh.Ztunnel.Limits;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Core's HBONE outcomes as ztunnel's one error type (pure): the client's (<see cref="MeshOutbound"/>: the tunnel was
/// not opened) and the server's (<see cref="HboneInbound"/>: the connection was refused or ended abnormally), so both
/// directions are reported through <see cref="Metrics.RefusalReporter"/> with the same labels.
/// </summary>
public static class HboneRefusals
{
    public static RefusalReason Reason(HboneError error) => error switch
    {
        HboneError.None => RefusalReason.None,
        HboneError.ConnectFailed => RefusalReason.ConnectRefused,
        HboneError.ConnectTimeout => RefusalReason.ConnectTimeout,
        HboneError.TlsFailed => RefusalReason.TlsFailed,
        HboneError.PeerUntrusted => RefusalReason.PeerUntrusted,
        HboneError.PeerIdentityMismatch => RefusalReason.PeerIdentityMismatch,
        HboneError.Refused => RefusalReason.TunnelRefused,
        HboneError.Reset => RefusalReason.TunnelReset,
        HboneError.ConnectionLost => RefusalReason.ConnectionLost,
        HboneError.HandshakeLimit => RefusalReason.HandshakeLimit,
        HboneError.HandshakeTimeout => RefusalReason.HandshakeTimeout,
        HboneError.PeerLimit => RefusalReason.PeerLimit,
        HboneError.NoCredential => RefusalReason.NoCertificate,
        HboneError.RapidReset => RefusalReason.RapidReset,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "an HBONE outcome without a refusal reason"),
    };

    /// <summary>The log detail of a failed tunnel: the peer's status for a refused CONNECT, else core's detail.</summary>
    public static string Detail(HboneConnectResult result) =>
        result.Error == HboneError.Refused ? $"status {result.Status}" : result.Detail ?? result.Error.ToString();
}
