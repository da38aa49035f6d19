using System.Diagnostics.CodeAnalysis;

namespace Mesh.Core.Identity;

/// <summary>A workload identity: <c>spiffe://&lt;trust-domain&gt;/ns/&lt;namespace&gt;/sa/&lt;serviceaccount&gt;</c>.</summary>
public readonly record struct SpiffeId(string TrustDomain, string Namespace, string ServiceAccount)
{
    public const string Scheme = "spiffe://";

    public override string ToString() => $"{Scheme}{TrustDomain}/ns/{Namespace}/sa/{ServiceAccount}";

    public static SpiffeId Parse(string uri) =>
        TryParse(uri, out var id) ? id : throw new FormatException(
            $"'{uri}' is not a mesh identity; expected spiffe://<trust-domain>/ns/<namespace>/sa/<serviceaccount>");

    public static bool TryParse(string? uri, [NotNullWhen(true)] out SpiffeId id)
    {
        id = default;
        if (uri is null || !uri.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }
        var parts = uri[Scheme.Length..].Split('/');
        if (parts.Length != 5 || parts[1] != "ns" || parts[3] != "sa" ||
            parts[0].Length == 0 || parts[2].Length == 0 || parts[4].Length == 0)
        {
            return false;
        }
        id = new SpiffeId(parts[0], parts[2], parts[4]);
        return true;
    }
}
