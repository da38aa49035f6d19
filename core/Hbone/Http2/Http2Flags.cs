namespace Mesh.Core.Hbone.Http2;

/// <summary>RFC 9113 frame flags.</summary>
internal static class Http2Flags
{
    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;
    public const byte Padded = 0x8;
    public const byte Priority = 0x20;
}
