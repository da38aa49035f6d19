namespace Mesh.Native;

/// <summary>Options set on a TCP socket created inside another network namespace.</summary>
/// <param name="Mark">SO_MARK (0: none); ztunnel marks its own sockets so capture skips them.</param>
/// <param name="Transparent">IP_TRANSPARENT (listeners that accept connections for non-local addresses,
/// or dialers that bind a non-local source address).</param>
/// <param name="ReuseAddress">SO_REUSEADDR.</param>
/// <param name="BindAddressNoPort">IP_BIND_ADDRESS_NO_PORT: a bind to (address, 0) picks the port at connect,
/// so many connections can share one source address.</param>
public sealed record NetNsSocketOptions(uint Mark = 0, bool Transparent = false, bool ReuseAddress = true, bool BindAddressNoPort = false);
