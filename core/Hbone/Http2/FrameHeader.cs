using System.Buffers.Binary;

namespace Mesh.Core.Hbone.Http2;

/// <summary>The 9-octet frame header (RFC 9113 section 4.1).</summary>
public readonly record struct FrameHeader(int Length, Http2FrameType Type, byte Flags, int StreamId)
{
    public const int Size = 9;

    public bool HasFlag(byte flag) => (Flags & flag) != 0;

    public static FrameHeader Read(ReadOnlySpan<byte> source) => new(
        (source[0] << 16) | (source[1] << 8) | source[2],
        (Http2FrameType)source[3],
        source[4],
        (int)(BinaryPrimitives.ReadUInt32BigEndian(source[5..]) & 0x7fffffff));

    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)StreamId & 0x7fffffff);
    }
}
