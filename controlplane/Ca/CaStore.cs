using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.ControlPlane.Ca;

/// <summary>
/// Loads the CA's signing material and keeps it current. Self-managed (default): at first start
/// an ECDSA P-256 root is created in &lt;state&gt;/ca/ (root-cert.pem, root-key.pem mode 0600);
/// next-root-cert.pem/next-root-key.pem hold a new root that is published in the bundle but does not sign yet,
/// previous-root-cert.pem the old root while certificates it issued are still live (see <see cref="RootRotator"/>).
/// User-supplied (a root or an intermediate signed elsewhere, <see cref="UserCaPem"/>): --ca-cert/--ca-key/--ca-bundle
/// files, or a kubernetes.io/tls Secret with ca.crt (--ca-secret, offered by <see cref="CaSecretWatcher"/>). Files are
/// re-read when their contents change (checked at most once a second), so `controlplane rotate-root` and a replaced
/// intermediate act on a running control plane; a replacement <see cref="CaReload"/> refuses is logged once and the
/// material in use kept. Every load writes &lt;state&gt;/ca/trust-bundle.pem.
/// </summary>
public sealed partial class CaStore
{
    public const string RootCert = "root-cert.pem";
    public const string RootKey = "root-key.pem";
    public const string PreviousRootCert = "previous-root-cert.pem";
    public const string NextRootCert = "next-root-cert.pem";
    public const string NextRootKey = "next-root-key.pem";
    public const string IntermediateCert = "intermediate-cert.pem";
    public const string IntermediateKey = "intermediate-key.pem";

    private readonly CaOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly IssuedLedger? _ledger;
    private readonly Lock _lock = new();
    private CaMaterial _material;
    /// <summary>The SHA-256 of what the material in use was read from (the root files, or the user's PEMs).</summary>
    private string _fingerprint;
    /// <summary>The SHA-256 of the user-supplied contents refused last (logged once, not again each second).</summary>
    private string? _refused;
    private long _checkedAt;
    /// <summary>The user's root with its key when the control plane signs through its own intermediate (<see cref="CaOptions.IntermediateLifetime"/>).</summary>
    private X509Certificate2? _userRoot;

    /// <param name="supplied">The user's CA when it comes from a Kubernetes Secret (<see cref="CaOptions.CaSecret"/>): read
    /// before the host starts, then offered again by <see cref="CaSecretWatcher"/> on every change.</param>
    public CaStore(CaOptions options, TimeProvider time, ILogger<CaStore>? log = null, IssuedLedger? ledger = null, UserCaPem? supplied = null)
    {
        _options = options;
        _time = time;
        _log = log ?? (ILogger)NullLogger.Instance;
        _ledger = ledger;
        Directory.CreateDirectory(options.CaDirectory);
        if (options.UserSupplied)
        {
            var pem = supplied ?? (options.CaSecret is { } secret
                ? throw new CaException($"--ca-secret {secret}: the Secret was not read; the control plane reads it at start (check the registry is kubernetes)")
                : ReadFiles());
            _material = SignThrough(UserCaCheck.Parse(pem, time.GetUtcNow()), time.GetUtcNow());
            _fingerprint = pem.Sha256;
            WriteBundle(_material);
        }
        else
        {
            if (!File.Exists(Path.Combine(options.CaDirectory, RootCert)))
            {
                WriteRoot(options.CaDirectory, CertificateIssuer.CreateRoot(options.TrustDomain, time.GetUtcNow(), options.RootLifetime), RootCert, RootKey);
            }
            if (File.Exists(Path.Combine(options.CaDirectory, NextRootCert)) && !File.Exists(Path.Combine(options.CaDirectory, NextRootKey)))
            {
                PromoteNextRoot(options); // a promotion the last run was stopped in the middle of
            }
            _fingerprint = SelfManagedFingerprint();
            _material = LoadSelfManaged(options.CaDirectory);
            WriteBundle(_material);
        }
        _checkedAt = time.GetTimestamp();
    }

    /// <summary>Raised (on the caller's thread) after the material changed on disk and was reloaded.</summary>
    public event Action<CaMaterial>? Reloaded;

    /// <summary>A reload that failed (e.g. a half-done rotation, a refused replacement); the last good material stays in use.</summary>
    public string? LastReloadError { get; private set; }

    public CaMaterial Current
    {
        get
        {
            if (_options.CaSecret is not null || _time.GetElapsedTime(Volatile.Read(ref _checkedAt)) < TimeSpan.FromSeconds(1))
            {
                return Volatile.Read(ref _material);
            }
            CaMaterial? reloaded = null;
            lock (_lock)
            {
                _checkedAt = _time.GetTimestamp();
                try
                {
                    reloaded = _options.UserSupplied ? Consider(ReadFiles()) : ReloadSelfManaged();
                }
                catch (Exception e) when (e is CaException or CryptographicException or IOException or UnauthorizedAccessException)
                {
                    LastReloadError = e.Message; // a file missing or half-written: looked at again in a second
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

    /// <summary>
    /// A user-supplied CA seen again (the Secret changed): taken when <see cref="CaReload.Decide"/> accepts it, else
    /// refused with one log line and the material in use kept. True when it now signs.
    /// </summary>
    public bool Offer(UserCaPem candidate)
    {
        CaMaterial? reloaded;
        lock (_lock)
        {
            reloaded = Consider(candidate);
        }
        if (reloaded is not null)
        {
            Reloaded?.Invoke(reloaded);
        }
        return reloaded is not null;
    }

    private UserCaPem ReadFiles()
    {
        if (_options.CaKeyFile is null)
        {
            throw new CaException("--ca-cert needs --ca-key (the signing certificate's private key, PEM)");
        }
        return UserCaPem.FromFiles(_options.CaCertFile!, _options.CaKeyFile, _options.CaBundleFile);
    }

    /// <summary>Under the lock: the new material when <paramref name="candidate"/> was accepted, else null.</summary>
    private CaMaterial? Consider(UserCaPem candidate)
    {
        var now = _time.GetUtcNow();
        var current = _material;
        var live = current.TrustBundle.Select(r => r.Thumbprint)
            .Where(t => t == current.Root.Thumbprint || (_ledger?.Latest(t) ?? DateTimeOffset.MinValue) > now)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        switch (CaReload.Decide(candidate, _fingerprint, _refused, live, now))
        {
            case CaReloadDecision.Accept(var accepted):
                var material = SignThrough(accepted, now);
                WriteBundle(material);
                Volatile.Write(ref _material, material);
                _fingerprint = candidate.Sha256;
                _refused = null;
                LastReloadError = null;
                Log.Replaced(_log, material.Signer.Subject, material.Signer.NotAfter.ToUniversalTime(), candidate.Origin, current.Signer.Subject);
                return material;
            case CaReloadDecision.Refuse(var reason):
                _refused = candidate.Sha256;
                LastReloadError = reason;
                Log.Refused(_log, current.Signer.Subject, reason);
                return null;
            default:
                return null;
        }
    }

    /// <summary>
    /// <paramref name="user"/> as it signs: itself, or, for a user's root with <see cref="CaOptions.IntermediateLifetime"/>,
    /// through the control plane's intermediate (the one on disk while it is the root's and not yet due, else a new one).
    /// </summary>
    private CaMaterial SignThrough(CaMaterial user, DateTimeOffset now)
    {
        if (_options.IntermediateLifetime is not { } lifetime || !CertificateIssuer.IsSelfSigned(user.Signer))
        {
            _userRoot = null;
            return user;
        }
        _userRoot = user.Signer;
        var held = ReadIntermediate(user.Signer);
        return user with { Signer = held is not null && now < IntermediateDue(held) ? held : WriteIntermediate(user.Signer, now, lifetime), Intermediates = [] };
    }

    /// <summary>When the control plane's intermediate is replaced (never when --root-rotate-at is 0).</summary>
    public DateTimeOffset IntermediateDue(X509Certificate2 intermediate) => _options.RotateAt <= 0 ? DateTimeOffset.MaxValue
        : RootRotation.RotationDue(new DateTimeOffset(intermediate.NotBefore.ToUniversalTime()), new DateTimeOffset(intermediate.NotAfter.ToUniversalTime()), _options.RotateAt);

    /// <summary>True when the control plane signs through its own intermediate of the user's root.</summary>
    public bool OwnIntermediate => Volatile.Read(ref _userRoot) is not null;

    /// <summary>
    /// The automatic rotation under a user's root: once the intermediate is due, a new one from the root signs at once
    /// (the bundle, the root, is unchanged, so certificates of the old one keep verifying until they renew). Returns what
    /// was done, or null when nothing was due.
    /// </summary>
    public string? RotateIntermediateIfDue()
    {
        CaMaterial next;
        string detail;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var current = _material;
            if (_userRoot is null || _options.IntermediateLifetime is not { } lifetime || now < IntermediateDue(current.Signer))
            {
                return null;
            }
            var made = WriteIntermediate(_userRoot, now, lifetime);
            next = current with { Signer = made };
            Volatile.Write(ref _material, next);
            detail = $"new intermediate '{made.Subject}' (until {made.NotAfter.ToUniversalTime():u}) of '{_userRoot.Subject}' signs, replacing '{current.Signer.Subject}'; " +
                "the bundle (the root) is unchanged";
        }
        Reloaded?.Invoke(next);
        return detail;
    }

    private X509Certificate2? ReadIntermediate(X509Certificate2 root)
    {
        var cert = Path.Combine(_options.CaDirectory, IntermediateCert);
        var key = Path.Combine(_options.CaDirectory, IntermediateKey);
        if (!File.Exists(cert) || !File.Exists(key))
        {
            return null;
        }
        try
        {
            var held = X509CertificateLoader.LoadPkcs12(X509Certificate2.CreateFromPemFile(cert, key).Export(X509ContentType.Pkcs12), null);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTimeIgnored = false;
            chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            return chain.Build(held) ? held : null; // another root's, or expired: make a new one
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
        {
            return null;
        }
    }

    private X509Certificate2 WriteIntermediate(X509Certificate2 root, DateTimeOffset now, TimeSpan lifetime)
    {
        var made = CertificateIssuer.CreateIntermediate(root, _options.TrustDomain, now, lifetime);
        WriteRoot(_options.CaDirectory, made, IntermediateCert, IntermediateKey);
        return made;
    }

    private CaMaterial? ReloadSelfManaged()
    {
        var fp = SelfManagedFingerprint();
        if (fp == _fingerprint)
        {
            return null;
        }
        var material = LoadSelfManaged(_options.CaDirectory);
        WriteBundle(material);
        Volatile.Write(ref _material, material);
        _fingerprint = fp;
        LastReloadError = null;
        return material;
    }

    private string SelfManagedFingerprint()
    {
        string[] files = [RootCert, RootKey, PreviousRootCert, NextRootCert];
        var text = string.Join("\0", files.Select(f => Path.Combine(_options.CaDirectory, f)).Select(f => File.Exists(f) ? File.ReadAllText(f) : "-"));
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    private void WriteBundle(CaMaterial material)
    {
        var tmp = _options.TrustBundleFile + ".tmp";
        File.WriteAllText(tmp, material.TrustBundlePem());
        File.Move(tmp, _options.TrustBundleFile, overwrite: true);
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

    private static partial class Log
    {
        [LoggerMessage(4270, LogLevel.Information, "ca: '{Signer}' (until {NotAfter:u}, from {Origin}) signs from now on, replacing '{Was}'")]
        public static partial void Replaced(ILogger logger, string signer, DateTime notAfter, string origin, string was);

        [LoggerMessage(4271, LogLevel.Error, "ca: replacement refused, '{Kept}' keeps signing: {Reason}")]
        public static partial void Refused(ILogger logger, string kept, string reason);
    }
}
