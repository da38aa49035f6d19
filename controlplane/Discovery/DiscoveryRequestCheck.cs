using Mesh.Core.Discovery;
using Mesh.Core.Text;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Bounds on a discovery request (what a reconnecting proxy says it holds), checked before the request is planned.
/// The body itself is capped at <see cref="MaxBodyBytes"/> before it is read. Pure.
/// </summary>
public static class DiscoveryRequestCheck
{
    /// <summary>A proxy of a 100k-pod cluster resumes with ~7 MB of hashes.</summary>
    public const long MaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>Resources a proxy may claim to hold, all kinds together.</summary>
    public const int MaxEntries = 250_000;

    /// <summary>Length of one key (a uid or "namespace/name": Kubernetes names are at most 253) or hash.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>Null when <paramref name="request"/> is within bounds, else what is wrong (bounded, safe to echo).</summary>
    public static string? Problem(DiscoveryRequest request)
    {
        if (request.Epoch is { Length: > 64 } epoch)
        {
            return $"epoch '{UntrustedText.Bound(epoch, 64)}' is longer than 64 characters; send the epoch the server sent";
        }
        if (request.Have is null)
        {
            return null;
        }
        var entries = 0L;
        foreach (var (kind, hashes) in request.Have)
        {
            if (Array.IndexOf(DiscoveryWire.Kinds, kind) < 0)
            {
                return $"have: unknown kind '{UntrustedText.Bound(kind, 64)}' (expected one of {string.Join(", ", DiscoveryWire.Kinds)})";
            }
            entries += hashes?.Count ?? 0;
            if (entries > MaxEntries)
            {
                return $"have: more than {MaxEntries} resources; reconnect without 'have' to get a full state";
            }
            foreach (var (key, hash) in hashes ?? [])
            {
                if (key.Length > MaxKeyLength || (hash?.Length ?? 0) > MaxKeyLength)
                {
                    return $"have.{kind}: key '{UntrustedText.Bound(key, 64)}' or its hash is longer than {MaxKeyLength} characters";
                }
            }
        }
        return null;
    }
}
