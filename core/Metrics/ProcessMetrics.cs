using System.Runtime;
using Prometheus;

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
/// Registered on a component's <see cref="MetricsRegistry"/> (prometheus-net's own process collectors are not used:
/// their names differ, e.g. process_working_set_bytes, and they are only on its default registry).
/// </summary>
public sealed class ProcessMetrics
{
    private static readonly string[] s_generations = ["gen0", "gen1", "gen2", "loh", "poh"];

    private readonly Gauge _resident;
    private readonly Gauge _virtual;
    private readonly Counter _cpu;
    private readonly Gauge _threads;
    private readonly Gauge _fds;
    private readonly Gauge _heapSize;
    private readonly Gauge _fragmentation;
    private readonly Gauge _memory;
    private readonly Gauge _committed;
    private readonly Counter _collections;
    private readonly Counter _allocated;
    private readonly Counter _pause;
    private readonly Gauge _threadPool;
    private readonly Counter _jit;

    public ProcessMetrics(MetricsRegistry registry)
    {
        var f = registry.Factory;
        _resident = f.CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes");
        _virtual = f.CreateGauge("process_virtual_memory_bytes", "Virtual memory size in bytes");
        _cpu = f.CreateCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds");
        _threads = f.CreateGauge("process_num_threads", "Number of OS threads in the process");
        _fds = f.CreateGauge("process_open_fds", "Number of open file descriptors");
        f.CreateGauge("process_start_time_seconds", "Start time of the process since the Unix epoch")
            .Set(new DateTimeOffset(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0);
        _heapSize = f.CreateGauge("dotnet_gc_heap_size_bytes", "GC heap size per generation after the last collection", "generation");
        _fragmentation = f.CreateGauge("dotnet_gc_fragmentation_bytes", "Free space inside the GC heap per generation after the last collection", "generation");
        _memory = f.CreateGauge("dotnet_gc_memory_bytes",
            "Bytes thought to be allocated in the GC heap now (includes gen0 allocations since the last collection)");
        _committed = f.CreateGauge("dotnet_gc_committed_bytes", "Memory committed by the GC");
        _collections = f.CreateCounter("dotnet_gc_collections_total",
            "Garbage collections per generation (a gen2 collection also counts in gen0 and gen1)", "generation");
        _allocated = f.CreateCounter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the GC heap since the process started");
        _pause = f.CreateCounter("dotnet_gc_pause_seconds_total", "Time the runtime was paused for garbage collection");
        _threadPool = f.CreateGauge("dotnet_threadpool_threads", "Thread pool worker threads");
        _jit = f.CreateCounter("dotnet_jit_methods_total", "Methods compiled by the JIT");
        registry.BeforeCollect(Update);
    }

    /// <summary>Reads every figure now (the registry calls it before each scrape).</summary>
    private void Update()
    {
        _resident.Set(Statm(1));
        _virtual.Set(Statm(0));
        _cpu.IncTo(Environment.CpuUsage.TotalTime.TotalSeconds);
        _threads.Set(ThreadCount());
        _fds.Set(OpenFds());
        var info = GC.GetGCMemoryInfo();
        var generations = info.GenerationInfo;
        for (var i = 0; i < Math.Min(generations.Length, s_generations.Length); i++)
        {
            _heapSize.WithLabels(s_generations[i]).Set(generations[i].SizeAfterBytes);
            _fragmentation.WithLabels(s_generations[i]).Set(generations[i].FragmentationAfterBytes);
        }
        _memory.Set(GC.GetTotalMemory(false));
        _committed.Set(info.TotalCommittedBytes);
        for (var g = 0; g <= GC.MaxGeneration; g++)
        {
            _collections.WithLabels(s_generations[g]).IncTo(GC.CollectionCount(g));
        }
        _allocated.IncTo(GC.GetTotalAllocatedBytes());
        _pause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
        _threadPool.Set(ThreadPool.ThreadCount);
        _jit.IncTo(JitInfo.GetCompiledMethodCount());
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
