namespace Mesh.ControlPlane.Leadership;

/// <summary>Work only the leader does (every write to the cluster): started when this replica gains the Lease, cancelled when it loses it.</summary>
public interface ILeaderTask
{
    string Name { get; }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (leadership lost or shutdown).</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
