namespace Mesh.Core.Net;

/// <summary>What <see cref="SocketAccept"/> does after a failed accept.</summary>
public enum AcceptNext
{
    /// <summary>The listener is gone (closed, shut down, not listening): the loop ends.</summary>
    Stop,

    /// <summary>One connection was lost before it was accepted: accept the next one.</summary>
    Retry,

    /// <summary>Out of descriptors or buffers: wait <see cref="SocketAccept.OutOfDescriptorsPause"/>, then accept again.</summary>
    Pause,
}
