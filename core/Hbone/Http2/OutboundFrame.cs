namespace Mesh.Core.Hbone.Http2;

/// <summary>
/// A frame waiting in the writer's queue. <see cref="Payload"/> (DATA, HEADERS, SETTINGS) is rented from
/// the shared pool and returned by the writer; <see cref="Value"/> carries the fixed fields of small frames
/// (PING opaque data, WINDOW_UPDATE increment, RST_STREAM code, GOAWAY last stream id and code).
/// </summary>
internal readonly record struct OutboundFrame(Http2FrameType Type, byte Flags, int StreamId, byte[]? Payload, int Length, ulong Value);
