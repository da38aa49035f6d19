namespace Mesh.Ztunnel.Proxy;

/// <summary>Why a captured connection is not carried (<see cref="CaptureGuard"/>: one log line each, then the connection is reset).</summary>
public enum CaptureRefusal
{
    None,

    /// <summary>Accepted on 15001 but the BPF map has no original destination for the client.</summary>
    NoOriginalDestination,

    /// <summary>The destination is ztunnel's own listener in the pod: carrying it would loop.</summary>
    Loop,
}
