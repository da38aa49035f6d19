using Mesh.Core.Hbone.Http2;

namespace Mesh.Ztunnel.Proxy;

/// <summary>An HBONE tunnel stream as one side of a relay.</summary>
internal readonly struct TunnelEnd(Http2Stream stream) : IRelayEnd
{
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => stream.ReadAsync(buffer, cancellationToken);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => stream.WriteAsync(data, cancellationToken);

    public void CompleteWrites() => stream.CompleteWrites();

    public void Reset() => stream.Reset();
}
