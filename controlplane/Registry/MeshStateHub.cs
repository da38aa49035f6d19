namespace Mesh.ControlPlane.Registry;

/// <summary>
/// Holds the latest <see cref="RegistrySnapshot"/>. One writer (the registry) publishes; readers (CA node
/// authorization, discovery) read <see cref="Current"/> without locks or await <see cref="NextAsync"/>.
/// </summary>
public sealed class MeshStateHub
{
    private volatile RegistrySnapshot? _current;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Null until the first publish (all sources synced): the control plane is not ready.</summary>
    public RegistrySnapshot? Current => _current;

    public void Publish(RegistrySnapshot snapshot)
    {
        _current = snapshot;
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Completes at the next publish after the call.</summary>
    public Task NextAsync(CancellationToken cancellationToken) => Volatile.Read(ref _next).Task.WaitAsync(cancellationToken);
}
