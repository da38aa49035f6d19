using Mesh.ControlPlane.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Kubernetes;

public static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Kubernetes registry as an <see cref="IObjectSource"/> for the
    /// <see cref="ObjectRegistry"/>. Without a config, reads it now from the environment
    /// (in-cluster or kubeconfig), so a bad config fails at startup with a <see cref="KubeConfigException"/>.
    /// </summary>
    public static IServiceCollection AddKubernetesRegistry(this IServiceCollection services, KubeClientConfig? config = null, string? context = null, KubeInformerOptions? options = null)
    {
        config ??= KubeClientConfig.FromEnvironment(context);
        services.AddSingleton<IObjectSource>(sp => new KubernetesObjectSource(
            config,
            options,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>()));
        return services;
    }
}
