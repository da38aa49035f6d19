using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// The latest expiry of a certificate issued by each root (by SHA-1 thumbprint, as X509Certificate2 gives it): the
/// rotation drops an old root from the bundle only after it. Recorded by <see cref="CertificateAuthority"/> at every
/// issue; persisted by <see cref="RootRotator"/> with the rotation record, so a restart keeps it.
/// </summary>
public sealed class IssuedLedger
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _latest = new(StringComparer.OrdinalIgnoreCase);

    public void Record(string rootThumbprint, DateTimeOffset notAfter) =>
        _latest.AddOrUpdate(rootThumbprint, notAfter, (_, was) => notAfter > was ? notAfter : was);

    public DateTimeOffset Latest(string rootThumbprint) => _latest.TryGetValue(rootThumbprint, out var t) ? t : DateTimeOffset.MinValue;

    public ImmutableSortedDictionary<string, DateTimeOffset> Snapshot() => _latest.ToImmutableSortedDictionary(StringComparer.OrdinalIgnoreCase);

    public void Seed(IEnumerable<KeyValuePair<string, DateTimeOffset>> entries)
    {
        foreach (var (k, v) in entries)
        {
            Record(k, v);
        }
    }
}
