namespace Mesh.Core.Hbone.Http2;

/// <summary>RFC 9113 section 6.5.2 setting identifiers.</summary>
internal enum Http2SettingId : ushort
{
    HeaderTableSize = 1,
    EnablePush = 2,
    MaxConcurrentStreams = 3,
    InitialWindowSize = 4,
    MaxFrameSize = 5,
    MaxHeaderListSize = 6,
}
