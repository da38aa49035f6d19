namespace Mesh.Core.Hbone.Http2;

/// <summary>A connection error found while reading (RFC 9113 section 5.4.1); the reader turns it into GOAWAY and closes.</summary>
internal sealed class Http2ConnectionException(Http2ErrorCode code, string message) : Exception(message)
{
    public Http2ErrorCode Code { get; } = code;
}
