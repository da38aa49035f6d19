namespace Mesh.Core.Identity;

/// <summary>The CA refused or could not be reached. <see cref="Code"/> is the CA's wire code (or "unavailable").</summary>
public sealed class CaClientException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
