namespace Mesh.Core.Hbone.Http2;

/// <summary>Why a client stream could not be opened.</summary>
public enum Http2OpenError
{
    None,

    /// <summary>The peer's SETTINGS_MAX_CONCURRENT_STREAMS is reached on this connection; try another.</summary>
    NoCapacity,

    /// <summary>The connection is draining (GOAWAY) or closed; try another.</summary>
    ConnectionClosing,

    /// <summary>The peer reset the stream before answering (see the reset code).</summary>
    Reset,

    /// <summary>The connection failed while waiting for the answer.</summary>
    ConnectionLost,
}
