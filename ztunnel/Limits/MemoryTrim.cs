using System.Runtime;
using Mesh.Native.Net;

namespace Mesh.Ztunnel.Limits;

/// <summary>
/// Gives memory back after a burst: a flood leaves the GC heap and the C heap (OpenSSL state of thousands of TLS
/// connections) large but mostly free, and neither shrinks by itself on an idle process. Every few seconds the
/// connection count is sampled; once it falls to a quarter of the peak since the last trim (<see cref="ShouldTrim"/>),
/// one compacting full GC and malloc_trim(0) return the pages.
/// </summary>
public sealed class MemoryTrim : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    /// <summary>Bursts smaller than this leave too little behind to be worth a full GC.</summary>
    public const int MinPeak = 256;

    private readonly Func<int> _connections;
    private readonly ITimer _timer;
    private int _peak;

    public MemoryTrim(Func<int> connections, TimeProvider? time = null)
    {
        _connections = connections;
        _timer = (time ?? TimeProvider.System).CreateTimer(_ => Tick(), null, Period, Period);
    }

    public int Trims { get; private set; }

    /// <summary>Pure: after a burst of <paramref name="peak"/> connections, is <paramref name="now"/> low enough to trim?</summary>
    public static bool ShouldTrim(int peak, int now) => peak >= MinPeak && now <= peak / 4;

    /// <summary>Samples once, trimming when a burst has passed (the timer calls it).</summary>
    public void Tick()
    {
        var now = _connections();
        _peak = Math.Max(_peak, now);
        if (!ShouldTrim(_peak, now))
        {
            return;
        }
        _peak = now;
        Trims++;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _ = NativeHeap.Trim();
    }

    public void Dispose() => _timer.Dispose();
}
