using Mesh.ControlPlane.Ca;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Hosting;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Leadership;
using Mesh.ControlPlane.Metrics;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.ControlPlane.Waypoints;
using Mesh.Core.Identity;
using Mesh.Core.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the control plane: the registry (file or Kubernetes, or <paramref name="sources"/> when
    /// given), the translation, the CA with node-token authentication, discovery, metrics.
    /// </summary>
    public static IServiceCollection AddControlPlane(this IServiceCollection services, ControlPlaneOptions options,
        IReadOnlyList<IObjectSource>? sources = null)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(new MetricsRegistry());
        services.AddSingleton(sp => new ControlPlaneMetrics(sp.GetRequiredService<MetricsRegistry>()));
        services.AddSingleton<MeshStateHub>();
        services.AddSingleton(new TranslationOptions { TrustDomain = options.TrustDomain });
        if (sources is not null)
        {
            foreach (var s in sources)
            {
                services.AddSingleton(s);
            }
        }
        else if (options.Registry == "file")
        {
            services.AddSingleton<IObjectSource>(sp => new FileObjectSource(options.Directory!,
                sp.GetRequiredService<ILogger<FileObjectSource>>(), sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.AddKubernetesRegistry(kubeconfig: options.Kubeconfig, context: options.KubeContext);
            AddLeaderWriters(services, options);
        }
        services.AddSingleton<ObjectRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<ObjectRegistry>());

        var caOptions = new CaOptions
        {
            StateDirectory = options.StateDirectory,
            TrustDomain = options.TrustDomain,
            CertTtl = options.CertTtl,
            RootLifetime = options.RootLifetime,
            RotateAt = options.RootRotateAt,
            RotationOverlap = options.RotationOverlap,
            CaCertFile = options.CaCert,
            CaKeyFile = options.CaKey,
            CaBundleFile = options.CaBundle,
            CaSecret = options.CaSecret,
            IntermediateLifetime = options.IntermediateLifetime,
        };
        services.AddSingleton(caOptions);
        services.AddSingleton(sp => new CaStore(caOptions, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CaStore>>(),
            sp.GetRequiredService<IssuedLedger>(),
            caOptions.CaSecret is { } secret ? CaSecretWatcher.Read(sp.GetRequiredService<k8s.IKubernetes>(), secret) : null));
        if (caOptions.CaSecret is not null)
        {
            services.AddHostedService<CaSecretWatcher>();
        }
        services.AddSingleton<INodeAuthenticator>(sp => NodeAuthenticator(sp, options));
        services.AddSingleton<IssuedLedger>();
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<RootRotator>();
        services.AddHostedService(sp => sp.GetRequiredService<RootRotator>());
        services.AddSingleton(sp => new ServingCertificate(sp.GetRequiredService<CertificateAuthority>(),
            new SpiffeId(options.TrustDomain, options.Namespace, options.ServiceAccount),
            ["controlplane", $"controlplane.{options.Namespace}.svc", "localhost"], sp.GetRequiredService<TimeProvider>()));

        services.AddSingleton<TrustBundleFeed>();
        services.AddSingleton<TrustBundlePublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<TrustBundlePublisher>());
        services.AddSingleton<DiscoveryState>();
        services.AddHostedService(sp => sp.GetRequiredService<DiscoveryState>());
        return services;
    }

    /// <summary>
    /// The writers, which only the leader runs (a Lease in the control plane's namespace): the waypoint controller.
    /// Every replica serves the CA and discovery.
    /// </summary>
    private static void AddLeaderWriters(IServiceCollection services, ControlPlaneOptions options)
    {
        var settings = new WaypointSettings
        {
            Image = options.WaypointImage,
            ControlPlaneNamespace = options.Namespace,
            TrustDomain = options.TrustDomain,
            TokenAudience = options.TokenAudience,
        };
        services.AddSingleton<ILeaderTask>(sp => new WaypointController(sp.GetRequiredService<k8s.IKubernetes>(), settings,
            () => sp.GetRequiredService<CaStore>().Current.TrustBundlePem(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(new LeaderElectionOptions
        {
            Namespace = options.Namespace,
            LeaseDuration = options.LeaderLease,
            RenewDeadline = options.LeaderLease * 2 / 3,
            RetryPeriod = options.LeaderLease * 2 / 15,
        });
        services.AddSingleton<LeaderElection>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
    }

    /// <summary>
    /// The lab's node tokens (when given) and, with the Kubernetes registry, TokenReview of projected service
    /// account tokens: one authenticator, or a chain that tries the node tokens first.
    /// </summary>
    private static INodeAuthenticator NodeAuthenticator(IServiceProvider sp, ControlPlaneOptions options)
    {
        var chain = new List<(string, INodeAuthenticator)>();
        if (options.NodeTokensFile is { } tokens)
        {
            chain.Add(("node tokens", new NodeTokenAuthenticator(tokens)));
        }
        if (sp.GetService<k8s.IKubernetes>() is { } client)
        {
            chain.Add(("TokenReview", new TokenReviewAuthenticator(client, new TokenReviewOptions
            {
                Audience = options.TokenAudience,
                ZtunnelNamespace = options.ZtunnelNamespace,
                ZtunnelServiceAccount = options.ZtunnelServiceAccount,
                TrustDomain = options.TrustDomain,
            }, sp.GetRequiredService<MeshStateHub>(), sp.GetRequiredService<ILogger<TokenReviewAuthenticator>>())));
        }
        return chain.Count switch
        {
            0 => throw new ControlPlaneOptionsException("no way to authenticate callers: pass --node-tokens FILE or use --registry kubernetes (TokenReview)"),
            1 => chain[0].Item2,
            _ => new ChainedNodeAuthenticator(chain),
        };
    }
}
