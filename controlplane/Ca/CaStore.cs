using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// Loads the CA's signing material from disk and keeps it current. Self-managed (default): at first start
/// an ECDSA P-256 root is created in &lt;state&gt;/ca/ (root-cert.pem, root-key.pem mode 0600);
/// next-root-cert.pem/next-root-key.pem hold a new root that is published in the bundle but does not sign yet,
/// previous-root-cert.pem the old root while certificates it issued are still live (see <see cref="RootRotator"/>). User-supplied: --ca-cert/--ca-key
/// (a root or an intermediate) and --ca-bundle (the roots, needed for an intermediate). The files are
/// re-read when they change (checked at most once a second), so `controlplane rotate-root` acts on a
/// running control plane. Every load writes &lt;state&gt;/ca/trust-bundle.pem.
/// </summary>
public sealed class CaStore
{
    public const string RootCert = "root-cert.pem";
    public const string RootKey = "root-key.pem";
    public const string PreviousRootCert = "previous-root-cert.pem";
    public const string NextRootCert = "next-root-cert.pem";
    public const string NextRootKey = "next-root-key.pem";

    private readonly CaOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private CaMaterial _material;
    private string _fingerprint;
    private long _checkedAt;

    public CaStore(CaOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        Directory.CreateDirectory(options.CaDirectory);
        if (!options.UserSupplied && !File.Exists(Path.Combine(options.CaDirectory, RootCert)))
        {
            WriteRoot(options.CaDirectory, CertificateIssuer.CreateRoot(options.TrustDomain, time.GetUtcNow(), options.RootLifetime), RootCert, RootKey);
        }
        if (!options.UserSupplied && File.Exists(Path.Combine(options.CaDirectory, NextRootCert)) && !File.Exists(Path.Combine(options.CaDirectory, NextRootKey)))
        {
            PromoteNextRoot(options); // a promotion the last run was stopped in the middle of
        }
        _fingerprint = Fingerprint();
        _material = Load();
        _checkedAt = time.GetTimestamp();
    }

    /// <summary>Raised (on the caller's thread) after the material changed on disk and was reloaded.</summary>
    public event Action<CaMaterial>? Reloaded;

    /// <summary>A reload that failed (e.g. a half-done rotation); the last good material stays in use.</summary>
    public string? LastReloadError { get; private set; }

    public CaMaterial Current
    {
        get
        {
            if (_time.GetElapsedTime(Volatile.Read(ref _checkedAt)) < TimeSpan.FromSeconds(1))
            {
                return Volatile.Read(ref _material);
            }
            CaMaterial? reloaded = null;
            lock (_lock)
            {
                _checkedAt = _time.GetTimestamp();
                var fp = Fingerprint();
                if (fp != _fingerprint)
                {
                    try
                    {
                        reloaded = Load();
                        Volatile.Write(ref _material, reloaded);
                        _fingerprint = fp;
                        LastReloadError = null;
                    }
                    catch (Exception e) when (e is CaException or CryptographicException or IOException)
                    {
                        LastReloadError = e.Message;
                    }
                }
            }
            if (reloaded is not null)
            {
                Reloaded?.Invoke(reloaded);
            }
            return Volatile.Read(ref _material);
        }
    }

    /// <summary>The material re-read now if the files changed (after this process changed them itself).</summary>
    public CaMaterial Refresh()
    {
        Volatile.Write(ref _checkedAt, 0);
        return Current;
    }

    private IEnumerable<string> Files() => _options.UserSupplied
        ? new[] { _options.CaCertFile!, _options.CaKeyFile!, _options.CaBundleFile }.OfType<string>()
        : [Path.Combine(_options.CaDirectory, RootCert), Path.Combine(_options.CaDirectory, RootKey), Path.Combine(_options.CaDirectory, PreviousRootCert),
            Path.Combine(_options.CaDirectory, NextRootCert)];

    private string Fingerprint() => string.Join("|", Files().Select(f => File.Exists(f) ? $"{File.GetLastWriteTimeUtc(f).Ticks}:{new FileInfo(f).Length}" : "-"));

    private CaMaterial Load()
    {
        var material = _options.UserSupplied ? LoadUserSupplied() : LoadSelfManaged(_options.CaDirectory);
        var tmp = _options.TrustBundleFile + ".tmp";
        File.WriteAllText(tmp, material.TrustBundlePem());
        File.Move(tmp, _options.TrustBundleFile, overwrite: true);
        return material;
    }

    private static CaMaterial LoadSelfManaged(string dir)
    {
        var signer = X509Certificate2.CreateFromPemFile(Path.Combine(dir, RootCert), Path.Combine(dir, RootKey));
        signer = X509CertificateLoader.LoadPkcs12(signer.Export(X509ContentType.Pkcs12), null);
        var bundle = ImmutableArray.CreateBuilder<X509Certificate2>(2);
        var previous = Path.Combine(dir, PreviousRootCert);
        if (File.Exists(previous))
        {
            bundle.Add(X509Certificate2.CreateFromPem(File.ReadAllText(previous)));
        }
        bundle.Add(X509CertificateLoader.LoadCertificate(signer.RawData));
        var next = Path.Combine(dir, NextRootCert);
        if (File.Exists(next))
        {
            bundle.Add(X509Certificate2.CreateFromPem(File.ReadAllText(next)));
        }
        return new CaMaterial(signer, [], bundle.ToImmutable());
    }

    private CaMaterial LoadUserSupplied()
    {
        if (_options.CaKeyFile is null)
        {
            throw new CaException("--ca-cert needs --ca-key (the signing certificate's private key, PEM)");
        }
        var certs = new X509Certificate2Collection();
        try
        {
            certs.ImportFromPemFile(_options.CaCertFile!);
            if (certs.Count == 0)
            {
                throw new CaException($"'{_options.CaCertFile}' holds no PEM certificate");
            }
            var signer = X509Certificate2.CreateFromPemFile(_options.CaCertFile!, _options.CaKeyFile);
            signer = X509CertificateLoader.LoadPkcs12(signer.Export(X509ContentType.Pkcs12), null);
            if (!CertificateIssuer.IsCa(signer))
            {
                throw new CaException($"'{_options.CaCertFile}' is not a CA certificate (basicConstraints CA=true); supply a root or an intermediate");
            }
            var rest = certs.Skip(1).ToList();
            var roots = new X509Certificate2Collection();
            if (_options.CaBundleFile is not null)
            {
                roots.ImportFromPemFile(_options.CaBundleFile);
            }
            else
            {
                roots.AddRange(certs.Where(CertificateIssuer.IsSelfSigned).ToArray());
            }
            if (roots.Count is 0 or > 2)
            {
                throw new CaException($"found {roots.Count} roots; pass --ca-bundle with the 1 or 2 roots that '{_options.CaCertFile}' chains to");
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.ExtraStore.AddRange(rest.ToArray());
            if (!chain.Build(signer))
            {
                throw new CaException($"'{_options.CaCertFile}' does not chain to the roots given ({string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}); check --ca-bundle");
            }
            return new CaMaterial(signer, [.. rest.Where(c => !CertificateIssuer.IsSelfSigned(c))], [.. roots]);
        }
        catch (CryptographicException e)
        {
            throw new CaException($"cannot load --ca-cert '{_options.CaCertFile}' / --ca-key '{_options.CaKeyFile}': {e.Message}", e);
        }
    }

    private static void WriteRoot(string dir, X509Certificate2 root, string certName, string keyName)
    {
        var key = root.GetECDsaPrivateKey() ?? throw new CaException("new root has no ECDSA key");
        var keyPath = Path.Combine(dir, keyName + ".tmp");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var certPath = Path.Combine(dir, certName + ".tmp");
        File.WriteAllText(certPath, root.ExportCertificatePem() + "\n");
        File.Move(keyPath, Path.Combine(dir, keyName), overwrite: true);
        File.Move(certPath, Path.Combine(dir, certName), overwrite: true);
    }

    /// <summary>
    /// `controlplane rotate-root`: creates a new root and signs with it from now on; the old root stays in
    /// the trust bundle (previous-root-cert.pem) so certificates it issued keep validating. Run
    /// <see cref="FinishRotation"/> once every proxy has renewed (after one certificate TTL). The same two steps
    /// as the automatic rotation (<see cref="PublishNextRoot"/>, <see cref="PromoteNextRoot"/>), without the overlap
    /// in between.
    /// </summary>
    public static X509Certificate2 RotateRoot(CaOptions options, TimeProvider time)
    {
        var root = PublishNextRoot(options, time);
        PromoteNextRoot(options);
        return root;
    }

    /// <summary>
    /// Rotation step 1: a new root (next-root-cert.pem) joins the trust bundle; the current root keeps signing, so
    /// every proxy can hold the new anchor before any certificate chains to it.
    /// </summary>
    public static X509Certificate2 PublishNextRoot(CaOptions options, TimeProvider time)
    {
        var dir = options.CaDirectory;
        if (options.UserSupplied || !File.Exists(Path.Combine(dir, RootCert)))
        {
            throw new CaException($"no self-managed root in '{dir}'; with --ca-cert the roots are yours to rotate: put both roots in --ca-bundle, then switch --ca-cert/--ca-key");
        }
        if (File.Exists(Path.Combine(dir, PreviousRootCert)) || File.Exists(Path.Combine(dir, NextRootCert)))
        {
            throw new CaException($"a rotation is still in progress (the bundle holds two roots); run `controlplane rotate-root --finish --state-dir {options.StateDirectory}` after every proxy renewed, then rotate again");
        }
        var root = CertificateIssuer.CreateRoot(options.TrustDomain, time.GetUtcNow(), options.RootLifetime);
        WriteRoot(dir, root, NextRootCert, NextRootKey);
        File.WriteAllText(options.TrustBundleFile, LoadSelfManaged(dir).TrustBundlePem());
        return root;
    }

    /// <summary>Rotation step 2: the published next root signs from now on; the old one stays in the bundle as previous.</summary>
    public static void PromoteNextRoot(CaOptions options)
    {
        var dir = options.CaDirectory;
        if (!File.Exists(Path.Combine(dir, NextRootCert)))
        {
            throw new CaException($"no next root in '{dir}' to sign with; `controlplane rotate-root` makes one");
        }
        // In this order, so a promotion cut short (only the key moved) is completed by running it again.
        if (File.Exists(Path.Combine(dir, NextRootKey)))
        {
            File.Copy(Path.Combine(dir, RootCert), Path.Combine(dir, PreviousRootCert), overwrite: true);
            File.Move(Path.Combine(dir, NextRootKey), Path.Combine(dir, RootKey), overwrite: true);
        }
        File.Move(Path.Combine(dir, NextRootCert), Path.Combine(dir, RootCert), overwrite: true);
        File.WriteAllText(options.TrustBundleFile, LoadSelfManaged(dir).TrustBundlePem());
    }

    /// <summary>Which rotation step the files on disk are at (a restarted control plane resumes from it).</summary>
    public static RotationPhase PhaseOnDisk(CaOptions options) =>
        File.Exists(Path.Combine(options.CaDirectory, NextRootCert)) ? RotationPhase.Published
        : File.Exists(Path.Combine(options.CaDirectory, PreviousRootCert)) ? RotationPhase.Issuing
        : RotationPhase.Steady;

    /// <summary>Rotation step 3 (`controlplane rotate-root --finish`): drops the old root from the trust bundle.</summary>
    public static bool FinishRotation(CaOptions options)
    {
        var previous = Path.Combine(options.CaDirectory, PreviousRootCert);
        if (!File.Exists(previous))
        {
            return false;
        }
        File.Delete(previous);
        File.WriteAllText(options.TrustBundleFile, LoadSelfManaged(options.CaDirectory).TrustBundlePem());
        return true;
    }
}
