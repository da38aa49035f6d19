namespace Mesh.Core.Hbone.Hpack;

/// <summary>Internal control flow of the decoder; never escapes <see cref="HpackDecoder.Decode"/>.</summary>
internal sealed class HpackDecodingException(string message) : Exception(message);
