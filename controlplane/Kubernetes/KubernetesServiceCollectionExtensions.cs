using k8s;
using Mesh.ControlPlane.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Kubernetes;

public static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Registers one KubernetesClient <see cref="IKubernetes"/> (shared by the registry and the
    /// TokenReview authenticator) and the Kubernetes registry as an <see cref="IObjectSource"/> for
    /// the <see cref="ObjectRegistry"/>. Without a config, reads it now (<see cref="KubeConfigLoader"/>),
    /// so a bad kubeconfig fails at startup with a one-line <see cref="KubeConfigException"/>.
    /// </summary>
    public static IServiceCollection AddKubernetesRegistry(this IServiceCollection services, KubernetesClientConfiguration? config = null,
        string? kubeconfig = null, string? context = null, KubeInformerOptions? options = null)
    {
        config ??= KubeConfigLoader.Load(kubeconfig, context);
        var client = CreateClient(config);
        services.AddSingleton<IKubernetes>(client);
        services.AddSingleton<IObjectSource>(sp => new KubernetesObjectSource(
            client,
            options,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>The library client for <paramref name="config"/>; a client certificate that does not load is a <see cref="KubeConfigException"/>.</summary>
    public static k8s.Kubernetes CreateClient(KubernetesClientConfiguration config)
    {
        try
        {
            return new k8s.Kubernetes(config);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or System.Security.Cryptography.CryptographicException
                                       or FormatException or IOException or UriFormatException)
        {
            throw new KubeConfigException($"Kubernetes connection {config.Host}: {KubeConfigLoader.FirstLine(e.Message)}; check the server URL and the client certificate/key in the kubeconfig", e);
        }
    }
}
