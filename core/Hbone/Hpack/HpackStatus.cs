namespace Mesh.Core.Hbone.Hpack;

/// <summary>Outcome of decoding one header block.</summary>
public enum HpackStatus
{
    Ok,

    /// <summary>The block is malformed (bad index, bad integer or string, bad Huffman, oversized table update, truncated): an HTTP/2 COMPRESSION_ERROR.</summary>
    CompressionError,

    /// <summary>The decoded header list exceeds the configured maximum size.</summary>
    HeaderListTooLarge,
}
