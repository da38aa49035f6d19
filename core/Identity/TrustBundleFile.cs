using System.Security.Cryptography.X509Certificates;

namespace Mesh.Core.Identity;

/// <summary>A PEM trust bundle on disk, re-read when its modification time or size changes.</summary>
public sealed class TrustBundleFile(string path)
{
    private volatile Tuple<string, X509Certificate2Collection> _cache = Tuple.Create("", new X509Certificate2Collection());

    public string Path { get; } = path;

    public X509Certificate2Collection Roots
    {
        get
        {
            var info = new FileInfo(Path);
            if (!info.Exists)
            {
                return _cache.Item2;
            }
            var stamp = $"{info.LastWriteTimeUtc.Ticks}:{info.Length}";
            var cache = _cache;
            if (cache.Item1 == stamp)
            {
                return cache.Item2;
            }
            var roots = new X509Certificate2Collection();
            try
            {
                roots.ImportFromPemFile(Path);
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException)
            {
                return cache.Item2;
            }
            _cache = Tuple.Create(stamp, roots);
            return roots;
        }
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="roots"/> (CustomRootTrust,
    /// no revocation, host name not checked), at <paramref name="at"/> when given (else now), and, when <paramref name="expected"/> is set, its SPIFFE id is it.
    /// </summary>
    public static bool Validate(X509Certificate2 certificate, X509Certificate2Collection roots, IEnumerable<X509Certificate2>? intermediates,
        SpiffeId? expected, out string problem, DateTimeOffset? at = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        if (at is { } time)
        {
            chain.ChainPolicy.VerificationTime = time.UtcDateTime;
            chain.ChainPolicy.VerificationTimeIgnored = false;
        }
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        }
        if (!chain.Build(certificate))
        {
            problem = $"certificate does not chain to the mesh trust bundle: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}";
            return false;
        }
        if (expected is { } id && SpiffeCertificate.Identity(certificate) != id)
        {
            problem = $"certificate identity {SpiffeCertificate.Identity(certificate)?.ToString() ?? "(none)"} is not the expected {id}";
            return false;
        }
        problem = "";
        return true;
    }
}
