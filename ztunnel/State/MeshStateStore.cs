using Mesh.Core.Model;

namespace Mesh.Ztunnel.State;

/// <summary>
/// The one place ztunnel's view of the mesh lives: an immutable <see cref="MeshState"/> swapped whole by one
/// writer (the discovery client), read without locks. Waiters are woken on every swap.
/// </summary>
public sealed class MeshStateStore
{
    private volatile MeshState _current = MeshState.Empty;
    private volatile TaskCompletionSource _changed = NewSignal();

    public MeshState Current => _current;

    /// <summary>Completes at the next swap after the call.</summary>
    public Task Changed => _changed.Task;

    public void Update(MeshState state)
    {
        _current = state;
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
