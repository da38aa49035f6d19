using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using Mesh.ControlPlane.Ca;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The user's CA from a Kubernetes Secret (--ca-secret NAMESPACE/NAME, type kubernetes.io/tls with ca.crt, as
/// cert-manager writes a CA Certificate): read once before the host starts (<see cref="Read"/>), then watched through
/// the registry's <see cref="KubeObjectSource"/> (one Secrets informer); every version of that Secret is offered to
/// <see cref="CaStore.Offer"/>, which takes it or refuses it with one log line.
/// </summary>
public sealed partial class CaSecretWatcher(IKubernetes client, CaStore store, CaOptions options, TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _log = loggers.CreateLogger<CaSecretWatcher>();

    /// <summary>The Secret now (at start); a missing or malformed Secret is a <see cref="CaException"/> that says what to do.</summary>
    public static UserCaPem Read(IKubernetes client, string secret)
    {
        var (ns, name) = Split(secret);
        try
        {
            var s = client.CoreV1.ReadNamespacedSecret(name, ns);
            return UserCaPem.FromSecret(secret, s.Data is null ? new Dictionary<string, byte[]>() : new Dictionary<string, byte[]>(s.Data));
        }
        catch (HttpOperationException e)
        {
            throw new CaException($"--ca-secret {secret}: cannot read the Secret ({(int?)e.Response?.StatusCode} {e.Response?.ReasonPhrase}); " +
                "create it (cert-manager Certificate with isCA: true) and let the control plane's service account get/list/watch Secrets", e);
        }
    }

    /// <summary>A Secret's data as an informer delivers it (base64 values), for <see cref="UserCaPem.FromSecret"/>.</summary>
    public static UserCaPem FromObject(string secret, JsonObject obj)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (obj["data"] is JsonObject d)
        {
            foreach (var (k, v) in d)
            {
                if (v?.GetValue<string>() is { } b64)
                {
                    data[k] = Convert.FromBase64String(b64);
                }
            }
        }
        return UserCaPem.FromSecret(secret, data);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var secret = options.CaSecret!;
        var source = new KubeObjectSource(client, [KubeResource.Secrets], time: time, loggerFactory: loggers);
        var run = source.RunAsync(stoppingToken);
        await foreach (var ev in source.Events.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            if (ev.Type is not (KubeEventType.Added or KubeEventType.Modified or KubeEventType.Deleted) || KubeObjectCache.KeyOf(ev.Object) != secret)
            {
                continue;
            }
            if (ev.Type == KubeEventType.Deleted)
            {
                Log.Deleted(_log, secret);
                continue;
            }
            try
            {
                store.Offer(FromObject(secret, ev.Object));
            }
            catch (Exception e) when (e is CaException or FormatException or InvalidOperationException)
            {
                Log.Unreadable(_log, secret, e.Message);
            }
        }
        await run.ConfigureAwait(false);
    }

    private static (string Namespace, string Name) Split(string secret) =>
        secret.Split('/') is [{ Length: > 0 } ns, { Length: > 0 } name] ? (ns, name)
            : throw new CaException($"--ca-secret is NAMESPACE/NAME (e.g. mesh-system/mesh-ca), not '{secret}'");

    private static partial class Log
    {
        [LoggerMessage(4272, LogLevel.Warning, "ca: Secret {Secret} was deleted; the CA keeps signing with what it held (recreate the Secret to replace it)")]
        public static partial void Deleted(ILogger logger, string secret);

        [LoggerMessage(4273, LogLevel.Error, "ca: Secret {Secret} cannot be read as a CA, the CA keeps signing with what it held: {Reason}")]
        public static partial void Unreadable(ILogger logger, string secret, string reason);
    }
}
