using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Core.Identity;

/// <summary>
/// The roots a proxy verifies peers with. Until the control plane publishes a bundle over discovery it is the
/// bootstrap file (--root-cert); from then on it is the published bundle, swapped whole when a new one arrives, so
/// new TLS handshakes verify against it at once while established connections keep going (they were verified when
/// they started). A bundle under which a live certificate of this proxy would no longer verify is refused with one
/// log line and the held one stays. The connection to the control plane trusts both the file and the held bundle
/// (the control plane's own certificate moves to a new root with everyone else's).
/// </summary>
public sealed partial class TrustAnchors
{
    private readonly Func<ImmutableArray<X509Certificate2>> _bootstrap;
    private readonly ILogger _log;
    private volatile Held? _pushed;

    private sealed record Held(ImmutableArray<X509Certificate2> Roots, ImmutableArray<string> Fingerprints);

    public TrustAnchors(TrustBundleFile bootstrap, ILogger? log = null)
    {
        _bootstrap = () => [.. bootstrap.Roots];
        _log = log ?? NullLogger.Instance;
    }

    private TrustAnchors(ImmutableArray<X509Certificate2> roots)
    {
        _bootstrap = () => roots;
        _log = NullLogger.Instance;
    }

    /// <summary>Anchors that never change (tests, and credentials made from a CA answer alone).</summary>
    public static TrustAnchors Fixed(ImmutableArray<X509Certificate2> roots) => new(roots);

    /// <summary>What new handshakes verify peers against.</summary>
    public ImmutableArray<X509Certificate2> Current => _pushed?.Roots ?? _bootstrap();

    /// <summary>True once a bundle from the control plane is held (the bootstrap file no longer decides peers).</summary>
    public bool FromControlPlane => _pushed is not null;

    /// <summary>SHA-256 fingerprints (lower-case hex) of <see cref="Current"/>, in the bundle's order.</summary>
    public ImmutableArray<string> Fingerprints => _pushed?.Fingerprints ?? [.. _bootstrap().Select(Fingerprint)];

    /// <summary>The roots the control plane's serving certificate may chain to: the bootstrap file's and the held bundle's.</summary>
    public X509Certificate2Collection ControlPlaneRoots()
    {
        var roots = new X509Certificate2Collection(_bootstrap().ToArray());
        if (_pushed is { } held)
        {
            roots.AddRange(held.Roots.ToArray());
        }
        return roots;
    }

    /// <summary>
    /// Takes <paramref name="bundle"/> as the held bundle unless it is unusable or a certificate in
    /// <paramref name="live"/> (this proxy's certificates valid now, each with its chain) would not verify under it.
    /// True when the bundle is (now) held; an unchanged bundle is a no-op.
    /// </summary>
    public bool Offer(TrustBundle? bundle, IEnumerable<(X509Certificate2 Leaf, ImmutableArray<X509Certificate2> Chain)> live, DateTimeOffset now)
    {
        if (bundle is null)
        {
            return false;
        }
        var held = _pushed;
        if (held is not null && held.Fingerprints.Length == bundle.Anchors.Length && Parse(bundle, out var same, out _) &&
            same.Select(Fingerprint).SequenceEqual(held.Fingerprints))
        {
            return true;
        }
        var problem = Parse(bundle, out var roots, out var parseProblem) ? Refusal(roots, live, now) : parseProblem;
        if (problem is not null)
        {
            Log.Refused(_log, string.Join(",", Fingerprints), problem);
            return false;
        }
        var fingerprints = roots.Select(Fingerprint).ToImmutableArray();
        _pushed = new Held(roots, fingerprints);
        Log.Applied(_log, roots.Length, string.Join(",", fingerprints));
        return true;
    }

    /// <summary>
    /// Why <paramref name="roots"/> must not be held (pure): empty, or a certificate in <paramref name="live"/> would
    /// not chain to it at <paramref name="now"/>. Null when it may be held.
    /// </summary>
    public static string? Refusal(ImmutableArray<X509Certificate2> roots, IEnumerable<(X509Certificate2 Leaf, ImmutableArray<X509Certificate2> Chain)> live,
        DateTimeOffset now)
    {
        if (roots.IsDefaultOrEmpty)
        {
            return "the bundle holds no anchor";
        }
        var store = new X509Certificate2Collection(roots.ToArray());
        foreach (var (leaf, chain) in live)
        {
            if (!TrustBundleFile.Validate(leaf, store, chain.IsDefault ? [] : chain, null, out var problem, now))
            {
                return $"the live certificate of {SpiffeCertificate.Identity(leaf)?.ToString() ?? leaf.Subject} would not verify under it ({problem})";
            }
        }
        return null;
    }

    public static string Fingerprint(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    private static bool Parse(TrustBundle bundle, out ImmutableArray<X509Certificate2> roots, out string problem)
    {
        var parsed = ImmutableArray.CreateBuilder<X509Certificate2>(bundle.Anchors.Length);
        foreach (var pem in bundle.Anchors)
        {
            try
            {
                parsed.Add(X509Certificate2.CreateFromPem(pem));
            }
            catch (CryptographicException e)
            {
                roots = default;
                problem = $"anchor {parsed.Count + 1} is not a PEM certificate ({e.Message})";
                return false;
            }
        }
        roots = parsed.MoveToImmutable();
        problem = "";
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(5300, LogLevel.Information, "trust bundle: holding {Count} anchor(s) from the control plane, sha256 {Fingerprints}")]
        public static partial void Applied(ILogger logger, int count, string fingerprints);

        [LoggerMessage(5301, LogLevel.Error, "trust bundle: refused the control plane's bundle, keeping sha256 {Held}: {Reason}")]
        public static partial void Refused(ILogger logger, string held, string reason);
    }
}
