namespace Mesh.Native.Net;

/// <summary>Options set on a TCP socket created inside another network namespace.</summary>
/// <param name="Mark">SO_MARK (0: none); ztunnel marks its own sockets so capture skips them.</param>
/// <param name="Transparent">IP_TRANSPARENT (listeners that accept connections for non-local addresses,
/// or dialers that bind a non-local source address).</param>
/// <param name="ReuseAddress">SO_REUSEADDR.</param>
public sealed record NetNsSocketOptions(uint Mark = 0, bool Transparent = false, bool ReuseAddress = true);
