using Mesh.Core.Hbone.Hpack;

namespace Mesh.Core.Hbone.Http2;

/// <summary>Outcome of opening a client stream: the stream and the peer's response headers, or an error.</summary>
public readonly record struct Http2OpenResult(
    Http2Stream? Stream,
    IReadOnlyList<HeaderField> ResponseHeaders,
    Http2OpenError Error,
    Http2ErrorCode ResetCode)
{
    public static Http2OpenResult Failed(Http2OpenError error, Http2ErrorCode code = Http2ErrorCode.NoError) =>
        new(null, [], error, code);

    /// <summary>The :status of the response, or 0.</summary>
    public int Status
    {
        get
        {
            foreach (var h in ResponseHeaders)
            {
                if (h.Name == ":status" && int.TryParse(h.Value, out var s))
                {
                    return s;
                }
            }
            return 0;
        }
    }
}
