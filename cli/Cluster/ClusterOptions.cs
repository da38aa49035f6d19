using System.CommandLine;
using k8s;
using Mesh.ControlPlane.Kubernetes;

namespace Mesh.Cli.Cluster;

/// <summary>The connection flags every cluster command takes, loaded the way the control plane loads them (<see cref="KubeConfigLoader"/>).</summary>
internal sealed class ClusterOptions
{
    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)" };

    public Option<string?> Context { get; } = new("--kube-context") { Description = "kubeconfig context (default: its current-context)" };

    public void AddTo(Command command)
    {
        command.Add(Kubeconfig);
        command.Add(Context);
    }

    public (string? Kubeconfig, string? Context) Values(ParseResult parse) => (parse.GetValue(Kubeconfig), parse.GetValue(Context));

    /// <summary>A client for the chosen cluster; a kubeconfig that does not load is one <see cref="KubeConfigException"/> line.</summary>
    public static IKubernetes Connect(string? kubeconfig, string? context) =>
        KubernetesServiceCollectionExtensions.CreateClient(KubeConfigLoader.Load(kubeconfig, context));

    /// <summary>Whether a cluster is configured at all (an explicit flag, KUBECONFIG, ~/.kube/config, or in-cluster).</summary>
    public static bool AnyConfigured(string? kubeconfig, string? context) =>
        kubeconfig is not null || context is not null || KubernetesClientConfiguration.IsInCluster()
        || (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } v
            ? v.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(File.Exists)
            : File.Exists(KubernetesClientConfiguration.KubeConfigDefaultLocation));
}
