using System.Collections.Frozen;

namespace Mesh.Core.Http;

/// <summary>
/// gRPC status codes by name (<c>UNAVAILABLE</c>, Linkerd's <c>unavailable</c>, <c>deadline-exceeded</c>: case and
/// <c>-</c>/<c>_</c> ignored) and the <c>grpc-status</c> value of a response. Pure.
/// </summary>
public static class GrpcStatusCodes
{
    public const int Ok = 0;
    public const int NotFound = 5;
    public const int Unavailable = 14;

    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";

    private static readonly string[] Names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    private static readonly FrozenDictionary<string, int> ByName =
        Names.Select((n, i) => (n, i)).ToFrozenDictionary(x => x.n, x => x.i, StringComparer.OrdinalIgnoreCase);

    /// <summary>The code named <paramref name="name"/> (or its number 0..16); null when it is neither.</summary>
    public static int? Parse(string name)
    {
        var n = name.Trim().Replace('-', '_');
        if (ByName.TryGetValue(n, out var code))
        {
            return code;
        }
        return int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < Names.Length ? i : null;
    }

    /// <summary>The canonical name of a code (UNAVAILABLE), or its number when unknown.</summary>
    public static string Name(int code) => code >= 0 && code < Names.Length ? Names[code] : code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The code of a <c>grpc-status</c> header or trailer value; null when absent or not a number.</summary>
    public static int? FromHeader(string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : null;

    /// <summary>Whether a content type is gRPC's (<c>application/grpc</c>, <c>application/grpc+proto</c>, ...; not grpc-web).</summary>
    public static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == 16 || contentType[16] is '+' or ';');
}
