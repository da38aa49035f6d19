namespace Mesh.Core.State;

/// <summary>
/// The latest immutable snapshot of something, swapped whole by one writer (<see cref="Publish"/>), plus a signal at
/// each swap. Readers never lock: they read <see cref="Current"/>, or take <see cref="Changed"/> first and then read
/// <see cref="Current"/>, so a swap during their work completes the task they hold and wakes them again.
/// </summary>
/// <typeparam name="T">The snapshot (a reference type; null may stand for "none yet").</typeparam>
public sealed class SnapshotHolder<T>(T initial) : IReadOnlySnapshot<T>
    where T : class?
{
    private volatile T _current = initial;
    private volatile TaskCompletionSource _next = NewSignal();

    public T Current => _current;

    /// <summary>Completes at the first <see cref="Publish"/> after it was read.</summary>
    public Task Changed => _next.Task;

    /// <summary><see cref="Changed"/>, given up when <paramref name="cancellationToken"/> fires.</summary>
    public Task NextAsync(CancellationToken cancellationToken) => Changed.WaitAsync(cancellationToken);

    /// <summary>Makes <paramref name="snapshot"/> current, then wakes everyone waiting (never on the writer's thread).</summary>
    public void Publish(T snapshot)
    {
        _current = snapshot;
        Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
