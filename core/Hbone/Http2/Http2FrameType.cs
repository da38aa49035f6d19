namespace Mesh.Core.Hbone.Http2;

/// <summary>RFC 9113 section 6 frame types.</summary>
public enum Http2FrameType : byte
{
    Data = 0,
    Headers = 1,
    Priority = 2,
    RstStream = 3,
    Settings = 4,
    PushPromise = 5,
    Ping = 6,
    GoAway = 7,
    WindowUpdate = 8,
    Continuation = 9,
}
