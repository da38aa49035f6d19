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

    private InputTransport? _transport;

    public InputTransport Transport(byte[] input) => _transport = new(WithPreface(input), WaitForQuietAsync);

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
        if (Environment.GetEnvironmentVariable("MESH_FUZZ_TRACE") == "1")
        {
            Console.Error.WriteLine($"{what}: {_started} stream(s) handled, {_answered} answered, {_transport?.BytesWritten} octets sent back");
        }
    }

    /// <summary>
    /// Holds the peer's end of stream until the server is quiet: every started handler answered and neither the
    /// handlers nor the octets sent back moved for a few milliseconds with no queued work (at most 1 s). Handlers
    /// waiting for more request data stay waiting; the end of stream then ends them as a closed connection does.
    /// </summary>
    private async Task WaitForQuietAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        var quiet = 0;
        var last = (-1, -1, -1, -1L);
        while (DateTime.UtcNow < deadline && quiet < 2)
        {
            if (Volatile.Read(ref _started) == 0 && ThreadPool.PendingWorkItemCount == 0)
            {
                return; // no stream was opened and none is on its way: nothing to wait for (most fuzz inputs)
            }
            await Task.Delay(1);
            var now = (Volatile.Read(ref _started), Volatile.Read(ref _answered), Volatile.Read(ref _finished), _transport?.BytesWritten ?? 0);
            quiet = now == last && now.Item2 >= now.Item1 && ThreadPool.PendingWorkItemCount == 0 ? quiet + 1 : 0;
            last = now;
        }
    }
}
