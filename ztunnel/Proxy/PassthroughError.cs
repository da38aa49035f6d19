namespace Mesh.Ztunnel.Proxy;

/// <summary>Why a captured connection was not forwarded (one log line each, then the connection closes).</summary>
public enum PassthroughError
{
    None,

    /// <summary>Accepted on 15001 but the BPF map has no original destination for the client.</summary>
    NoOriginalDestination,

    /// <summary>The destination is ztunnel's own listener in the pod: forwarding would loop.</summary>
    Loop,

    /// <summary>The destination refused, timed out or was unreachable.</summary>
    ConnectFailed,
}
