using System.Threading.Channels;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The Kubernetes registry's input: one informer per resource the mesh reads
/// (<see cref="KubeResource.All"/>), all feeding one ordered event channel. Per kind, events
/// arrive in the order the API server produced them; a Synced event per kind marks the end of its
/// initial list, and <see cref="HasSynced"/> turns true once every kind has synced. The client
/// (KubernetesClient, shared with the TokenReview authenticator) is not owned.
/// </summary>
public sealed class KubeObjectSource
{
    private readonly IKubernetes _client;
    private readonly Channel<KubeEvent> _events;
    private readonly ILogger _logger;

    public KubeObjectSource(
        IKubernetes client,
        IReadOnlyList<KubeResource>? resources = null,
        KubeInformerOptions? options = null,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null)
    {
        time ??= TimeProvider.System;
        _client = client;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KubeObjectSource>();
        _events = Channel.CreateBounded<KubeEvent>(new BoundedChannelOptions(10_000)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var informerLogger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KubeInformer>();
        Informers = [.. (resources ?? KubeResource.All).Select(r => new KubeInformer(_client, r, _events.Writer, options, time, informerLogger))];
    }

    public IReadOnlyList<KubeInformer> Informers { get; }

    /// <summary>Every kind's events, interleaved; read by one consumer.</summary>
    public ChannelReader<KubeEvent> Events => _events.Reader;

    public bool HasSynced => Informers.All(i => i.HasSynced);

    /// <summary>Runs all informers until cancelled, then completes <see cref="Events"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        KubeLog.Connecting(_logger, _client.BaseUri.ToString());
        try
        {
            await Task.WhenAll(Informers.Select(i => i.RunAsync(cancellationToken)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }
}
