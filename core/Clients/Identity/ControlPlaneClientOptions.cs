using System.Net.Http;

namespace Mesh.Core.Identity;

/// <summary>
/// How a proxy reaches the control plane (CA and discovery share it): the address of its TLS port, the
/// mesh trust bundle to validate it with, and the node credential to present.
/// </summary>
public sealed record ControlPlaneClientOptions
{
    /// <summary>e.g. https://198.19.0.1:15012</summary>
    public required Uri Address { get; init; }
    /// <summary>PEM roots (the control plane writes &lt;state&gt;/ca/trust-bundle.pem); re-read when it changes.</summary>
    public required string TrustBundleFile { get; init; }
    /// <summary>The proxy's held anchors: when set, the control plane's certificate may also chain to the bundle it
    /// published (the file only bootstraps the first connection).</summary>
    public TrustAnchors? Anchors { get; init; }
    /// <summary>This proxy's node (selects the entry of a JSON tokens file, and the discovery view).</summary>
    public string? Node { get; init; }
    /// <summary>The bearer token itself, or ...</summary>
    public string? Token { get; init; }
    /// <summary>... a file holding it: either the raw token (a Kubernetes projected service account token)
    /// or the lab's JSON {"node": "token"} (then <see cref="Node"/> picks the entry). Re-read on every request.</summary>
    public string? TokenFile { get; init; }
    /// <summary>The control plane's expected SPIFFE id; null accepts any identity the bundle vouches for.</summary>
    public SpiffeId? ServerIdentity { get; init; }
    /// <summary>Optional: open the TCP connection yourself (e.g. a socket created in another network namespace).</summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? ConnectCallback { get; init; }
}
