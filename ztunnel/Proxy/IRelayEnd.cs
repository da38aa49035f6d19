namespace Mesh.Ztunnel.Proxy;

/// <summary>One side of a relay (<see cref="RelayPump"/>): a socket (<see cref="SocketEnd"/>) or an HBONE tunnel stream (<see cref="TunnelEnd"/>).</summary>
internal interface IRelayEnd
{
    /// <summary>Reads into <paramref name="buffer"/> (an empty one waits for data); 0 is the clean end of the data.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes all of <paramref name="data"/>.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Passes a clean end on: FIN on a socket, END_STREAM on a tunnel.</summary>
    void CompleteWrites();

    /// <summary>Ends abnormally: RST on a socket (<see cref="SocketReset"/>), RST_STREAM on a tunnel.</summary>
    void Reset();
}
