using System.Net;
using Mesh.Core.Identity;
using Mesh.Core.Hbone.Hpack;
using Mesh.Core.Hbone.Http2;

namespace Mesh.Core.Hbone;

/// <summary>
/// An inbound CONNECT as the handler sees it: the verified peer identity and the requested target. The handler
/// either <see cref="Accept"/>s (200, then the stream carries the tunnel) or <see cref="Refuse"/>s with a status.
/// A handler that returns without answering refuses with 503.
/// </summary>
public sealed class HboneInboundRequest
{
    private readonly Http2Stream _stream;
    private int _answered;

    internal HboneInboundRequest(SpiffeId peerIdentity, IPEndPoint target, EndPoint? remoteEndPoint, Http2Stream stream)
    {
        PeerIdentity = peerIdentity;
        Target = target;
        RemoteEndPoint = remoteEndPoint;
        _stream = stream;
    }

    /// <summary>The client's SPIFFE identity, from its verified certificate.</summary>
    public SpiffeId PeerIdentity { get; }

    /// <summary>The :authority of the CONNECT: the original destination ip:port.</summary>
    public IPEndPoint Target { get; }

    /// <summary>The TCP peer of the HBONE connection, when known.</summary>
    public EndPoint? RemoteEndPoint { get; }

    public IReadOnlyList<HeaderField> Headers => _stream.Headers;

    public bool IsAnswered => _answered != 0;

    /// <summary>Answers 200; the returned stream is the tunnel (disposed by the server when the handler returns).</summary>
    public Http2Stream Accept()
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0)
        {
            throw new InvalidOperationException("the request was already answered");
        }
        _stream.SendHeaders([new(":status", "200")], endStream: false);
        return _stream;
    }

    /// <summary>Answers with <paramref name="status"/> (e.g. 401, 403, 503) and ends the stream.</summary>
    public void Refuse(int status)
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0)
        {
            throw new InvalidOperationException("the request was already answered");
        }
        _stream.SendHeaders([new(":status", status.ToString(System.Globalization.CultureInfo.InvariantCulture))], endStream: true);
    }

    internal static HboneInboundRequest? Parse(SpiffeId peer, EndPoint? remote, Http2Stream stream, out int status)
    {
        string? method = null, authority = null;
        var extra = false;
        foreach (var h in stream.Headers)
        {
            switch (h.Name)
            {
                case ":method":
                    method = h.Value;
                    break;
                case ":authority":
                    authority = h.Value;
                    break;
                case ":scheme" or ":path" or ":protocol":
                    extra = true;
                    break;
                default:
                    break;
            }
        }
        status = 0;
        if (method != "CONNECT")
        {
            status = 405;
            return null;
        }
        if (extra || authority is null || !IPEndPoint.TryParse(authority, out var target) || target.Port == 0)
        {
            status = 400;
            return null;
        }
        return new HboneInboundRequest(peer, target, remote, stream);
    }
}
