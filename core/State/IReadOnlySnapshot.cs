namespace Mesh.Core.State;

/// <summary>
/// The reader's side of a <see cref="SnapshotHolder{T}"/>: the current snapshot and the signal of the next swap, with no
/// way to publish. What a holder's owner hands out, so that it stays the only writer.
/// </summary>
public interface IReadOnlySnapshot<out T>
    where T : class?
{
    T Current { get; }

    /// <summary>Completes at the first publish after it was read.</summary>
    Task Changed { get; }

    /// <summary><see cref="Changed"/>, given up when <paramref name="cancellationToken"/> fires.</summary>
    Task NextAsync(CancellationToken cancellationToken);
}
