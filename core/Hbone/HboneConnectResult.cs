using Mesh.Core.Hbone.Http2;

namespace Mesh.Core.Hbone;

/// <summary>The tunnel, or why there is none (with the HTTP status for <see cref="HboneError.Refused"/>).</summary>
public readonly record struct HboneConnectResult(Http2Stream? Stream, HboneError Error, int Status, string? Detail)
{
    public bool IsSuccess => Error == HboneError.None;

    public static HboneConnectResult Failed(HboneError error, string? detail = null, int status = 0) => new(null, error, status, detail);
}
