namespace Mesh.Cni;

/// <summary>A CNI error (spec 1.0 error codes): printed as the error JSON on stdout, exit code 1.</summary>
public sealed class CniException(int code, string message, string? details = null) : Exception(message)
{
    public const int IncompatibleVersion = 1;
    public const int UnsupportedField = 2;
    public const int UnknownContainer = 3;
    public const int InvalidEnvironment = 4;
    public const int IoFailure = 5;
    public const int DecodeFailure = 6;
    public const int InvalidConfig = 7;
    public const int TryAgainLater = 11;

    public int Code { get; } = code;
    public string? Details { get; } = details;
}
