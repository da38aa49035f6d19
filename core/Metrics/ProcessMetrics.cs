using System.Diagnostics.Metrics;
using System.Runtime;

namespace Mesh.Core.Metrics;

/// <summary>
/// Process and .NET runtime figures under the names Prometheus users expect (the Go/prometheus-net clients'
/// <c>process_*</c>, and <c>dotnet_*</c> for the GC, thread pool and JIT), all read at scrape time:
/// <c>process_resident_memory_bytes</c> (RSS from /proc/self/statm), <c>process_virtual_memory_bytes</c>,
/// <c>process_cpu_seconds_total</c>, <c>process_num_threads</c>, <c>process_open_fds</c>,
/// <c>process_start_time_seconds</c>; <c>dotnet_gc_heap_size_bytes{generation}</c> and
/// <c>dotnet_gc_fragmentation_bytes{generation}</c> (after the last GC), <c>dotnet_gc_memory_bytes</c> (now,
/// including gen0 allocated since that GC), <c>dotnet_gc_committed_bytes</c>,
/// <c>dotnet_gc_collections_total{generation}</c>, <c>dotnet_gc_allocated_bytes_total</c>,
/// <c>dotnet_gc_pause_seconds_total</c>, <c>dotnet_threadpool_threads</c>, <c>dotnet_jit_methods_total</c>.
/// Add <see cref="MeterName"/> to the <see cref="PrometheusCollector"/>'s meters.
/// </summary>
public sealed class ProcessMetrics : IDisposable
{
    public const string MeterName = "Mesh.Process";

    private static readonly string[] s_generations = ["gen0", "gen1", "gen2", "loh", "poh"];
    private readonly Meter _meter = new(MeterName);

    public ProcessMetrics()
    {
        var start = new DateTimeOffset(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        _meter.CreateObservableGauge("process_resident_memory_bytes", () => Statm(1), "By", "Resident memory size in bytes");
        _meter.CreateObservableGauge("process_virtual_memory_bytes", () => Statm(0), "By", "Virtual memory size in bytes");
        _meter.CreateObservableCounter("process_cpu_seconds", () => Environment.CpuUsage.TotalTime.TotalSeconds, "s",
            "Total user and system CPU time spent in seconds");
        _meter.CreateObservableGauge("process_num_threads", ThreadCount, "{thread}", "Number of OS threads in the process");
        _meter.CreateObservableGauge("process_open_fds", OpenFds, "{fd}", "Number of open file descriptors");
        _meter.CreateObservableGauge("process_start_time_seconds", () => start, "s", "Start time of the process since the Unix epoch");
        _meter.CreateObservableGauge("dotnet_gc_heap_size_bytes", () => PerGeneration(g => g.SizeAfterBytes), "By",
            "GC heap size per generation after the last collection");
        _meter.CreateObservableGauge("dotnet_gc_fragmentation_bytes", () => PerGeneration(g => g.FragmentationAfterBytes), "By",
            "Free space inside the GC heap per generation after the last collection");
        _meter.CreateObservableGauge("dotnet_gc_memory_bytes", () => GC.GetTotalMemory(false), "By",
            "Bytes thought to be allocated in the GC heap now (includes gen0 allocations since the last collection)");
        _meter.CreateObservableGauge("dotnet_gc_committed_bytes", () => GC.GetGCMemoryInfo().TotalCommittedBytes, "By",
            "Memory committed by the GC");
        _meter.CreateObservableCounter("dotnet_gc_collections", Collections, "{collection}",
            "Garbage collections per generation (a gen2 collection also counts in gen0 and gen1)");
        _meter.CreateObservableCounter("dotnet_gc_allocated_bytes", () => GC.GetTotalAllocatedBytes(), "By",
            "Bytes allocated on the GC heap since the process started");
        _meter.CreateObservableCounter("dotnet_gc_pause_seconds", () => GC.GetTotalPauseDuration().TotalSeconds, "s",
            "Time the runtime was paused for garbage collection");
        _meter.CreateObservableGauge("dotnet_threadpool_threads", () => ThreadPool.ThreadCount, "{thread}",
            "Thread pool worker threads");
        _meter.CreateObservableCounter("dotnet_jit_methods", () => JitInfo.GetCompiledMethodCount(), "{method}",
            "Methods compiled by the JIT");
    }

    public void Dispose() => _meter.Dispose();

    private static Measurement<long>[] PerGeneration(Func<GCGenerationInfo, long> pick)
    {
        var info = GC.GetGCMemoryInfo().GenerationInfo;
        var result = new Measurement<long>[Math.Min(info.Length, s_generations.Length)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new Measurement<long>(pick(info[i]), new KeyValuePair<string, object?>("generation", s_generations[i]));
        }
        return result;
    }

    private static IEnumerable<Measurement<long>> Collections()
    {
        for (var g = 0; g <= GC.MaxGeneration; g++)
        {
            yield return new Measurement<long>(GC.CollectionCount(g), new KeyValuePair<string, object?>("generation", s_generations[g]));
        }
    }

    /// <summary>Field <paramref name="index"/> of /proc/self/statm (0 size, 1 resident) in bytes; 0 off Linux.</summary>
    private static long Statm(int index)
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[index], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    private static int ThreadCount()
    {
        try
        {
            return Directory.GetDirectories("/proc/self/task").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        }
    }

    private static int OpenFds()
    {
        try
        {
            return Directory.GetFiles("/proc/self/fd").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
