namespace Mesh.Tests.Common;

/// <summary>
/// A service account token the <see cref="FakeKubeApiServer"/> knows, as a kubelet-projected token would
/// carry it: service account, bound pod (name, uid; the node only where Kubernetes 1.32+ adds it),
/// audiences and expiry.
/// </summary>
public sealed record FakeServiceAccountToken(
    string Namespace,
    string ServiceAccount,
    string? PodName,
    string? PodUid,
    IReadOnlyList<string> Audiences,
    DateTimeOffset ExpiresAt,
    string? NodeName = null)
{
    public string Username => $"system:serviceaccount:{Namespace}:{ServiceAccount}";
}
