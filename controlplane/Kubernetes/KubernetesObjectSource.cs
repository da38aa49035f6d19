using System.Runtime.CompilerServices;
using k8s;
using Mesh.ControlPlane.Registry;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The Kubernetes registry as an <see cref="IObjectSource"/>: list/watch of every resource the
/// translation reads, fed to the same <see cref="ObjectRegistry"/> as the file registry. Each
/// WatchAsync call starts fresh informers, sends Reset(""), the initial lists, and Synced("") once
/// every kind has synced. After that, a 410 relist is already a diff (Upsert/Delete of what
/// changed), so no Reset is needed and nothing is lost or repeated.
/// </summary>
public sealed class KubernetesObjectSource(
    IKubernetes client,
    KubeInformerOptions? options = null,
    TimeProvider? time = null,
    ILoggerFactory? loggerFactory = null,
    IReadOnlyList<KubeResource>? resources = null) : IObjectSource
{
    public string Name => $"kubernetes:{client.BaseUri}";

    public async IAsyncEnumerable<ObjectChange> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var source = new KubeObjectSource(client, resources, options, time, loggerFactory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = source.RunAsync(stop.Token);
        var pending = source.Informers.Select(i => i.Resource.Kind).ToHashSet(StringComparer.Ordinal);
        try
        {
            yield return ObjectChange.Reset();
            await foreach (var ev in source.Events.ReadAllAsync(cancellationToken))
            {
                if (ToChange(ev) is { } change)
                {
                    yield return change;
                }
                else if (ev.Type == KubeEventType.Synced && pending.Remove(ev.Kind) && pending.Count == 0)
                {
                    yield return ObjectChange.Synced();
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    /// <summary>Maps an informer event to a registry change; null for Synced and for objects without kind or name.</summary>
    public static ObjectChange? ToChange(KubeEvent ev)
    {
        if (ev.Type == KubeEventType.Synced || ObjectKey.From(ev.Object) is not { } key)
        {
            return null;
        }

        return ev.Type == KubeEventType.Deleted ? ObjectChange.Delete(key) : ObjectChange.Upsert(key, ev.Object);
    }
}
