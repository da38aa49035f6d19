namespace Mesh.ControlPlane.Leadership;

/// <summary>The coordination.k8s.io/v1 Lease the control plane replicas elect their leader with (client-go's defaults).</summary>
public sealed record LeaderElectionOptions
{
    public const string DefaultLeaseName = "mesh-controlplane";

    public string Namespace { get; init; } = Mesh.Core.MeshLabels.RootNamespace;

    public string LeaseName { get; init; } = DefaultLeaseName;

    /// <summary>This replica's holder identity: the pod name (HOSTNAME) and a random suffix, as client-go does.</summary>
    public string Identity { get; init; } = $"{(Environment.GetEnvironmentVariable("HOSTNAME") is { Length: > 0 } h ? h : Environment.MachineName)}_{Guid.NewGuid():N}";

    /// <summary>How long a follower waits after the last renewal it saw before it takes the Lease.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it gives up leading.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At shutdown, hand the Lease back (an empty holder) so a follower need not wait for it to expire (client-go's ReleaseOnCancel).</summary>
    public bool ReleaseOnStop { get; init; } = true;

    /// <summary>Between two attempts to acquire or renew.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}
