using Mesh.Core.Hbone.Http2;

namespace Mesh.Fuzz;

/// <summary>
/// Runs one server-role HTTP/2 connection over <see cref="InputTransport"/>: the client preface is prepended, the
/// input is everything the client sends after it. Stream handlers are counted so that the peer's end of stream
/// comes only after every handler that started has answered, and the run ends only when every handler returned.
/// A connection or handler that does not finish is a hang, reported as a finding.
/// </summary>
internal sealed class Http2Harness
{
    public static readonly Http2Options Options = new()
    {
        // Small windows and limits so flow control and the limits are reached by small inputs.
        StreamWindowSize = 65535,
        ConnectionWindowSize = 65535 * 2,
        MaxConcurrentStreams = 8,
        MaxHeaderListSize = 4096,
        HeaderTableSize = 4096,
        DrainTimeout = TimeSpan.FromSeconds(1),
    };

    private static readonly TimeSpan FinishLimit = TimeSpan.FromSeconds(5);

    private int _started;
    private int _answered;
    private int _finished;

    public static byte[] WithPreface(byte[] input) => [.. Http2FrameReader.ClientPreface, .. input];

    public InputTransport Transport(byte[] input) => new(WithPreface(input), WaitForAnswersAsync);

    /// <summary>Call at the start of a stream handler.</summary>
    public void Started() => Interlocked.Increment(ref _started);

    /// <summary>Call once the handler answered (headers sent or stream refused).</summary>
    public void Answered() => Interlocked.Increment(ref _answered);

    /// <summary>Call when the handler returns.</summary>
    public void Finished() => Interlocked.Increment(ref _finished);

    /// <summary>Waits for <paramref name="served"/> and then for every handler; a hang becomes a <see cref="FuzzFinding"/>.</summary>
    public void Wait(Task served, string what)
    {
        if (!served.Wait(FinishLimit))
        {
            throw new FuzzFinding($"{what}: the connection did not close within {FinishLimit.TotalSeconds} s after the input ended");
        }
        var deadline = DateTime.UtcNow + FinishLimit;
        while (Volatile.Read(ref _finished) < Volatile.Read(ref _started) || ThreadPool.PendingWorkItemCount > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new FuzzFinding($"{what}: {_started - _finished} stream handler(s) still running {FinishLimit.TotalSeconds} s after the connection closed");
            }
            Thread.Sleep(1);
        }
    }

    private async Task WaitForAnswersAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (DateTime.UtcNow < deadline && (ThreadPool.PendingWorkItemCount > 0 || Volatile.Read(ref _answered) < Volatile.Read(ref _started)))
        {
            await Task.Delay(1);
        }
    }
}
