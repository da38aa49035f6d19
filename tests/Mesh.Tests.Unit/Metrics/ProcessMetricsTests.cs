using System.Globalization;
using Mesh.Core.Metrics;

namespace Mesh.Tests.Unit.Metrics;

public sealed class ProcessMetricsTests
{
    private static double Value(string text, string series)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Collect_ProcessFigures_ReadFromThisProcess()
    {
        var registry = new MetricsRegistry();
        _ = new ProcessMetrics(registry);

        var text = await registry.CollectTextAsync();

        Assert.Contains("# TYPE process_resident_memory_bytes gauge", text, StringComparison.Ordinal);
        Assert.True(Value(text, "process_resident_memory_bytes") > 1024 * 1024);
        Assert.True(Value(text, "process_virtual_memory_bytes") >= Value(text, "process_resident_memory_bytes"));
        Assert.True(Value(text, "process_num_threads") >= 1);
        Assert.True(Value(text, "process_open_fds") >= 1);
        Assert.True(Value(text, "process_cpu_seconds_total") > 0);
    }

    [Fact]
    public async Task Collect_AfterCollection_GcFiguresPerGeneration()
    {
        var registry = new MetricsRegistry();
        _ = new ProcessMetrics(registry);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);

        var text = await registry.CollectTextAsync();

        Assert.True(Value(text, "dotnet_gc_collections_total{generation=\"gen2\"}") >= 1);
        Assert.True(Value(text, "dotnet_gc_heap_size_bytes{generation=\"gen2\"}") > 0);
        Assert.Contains("dotnet_gc_fragmentation_bytes{generation=\"loh\"}", text, StringComparison.Ordinal);
        Assert.True(Value(text, "dotnet_gc_allocated_bytes_total") > 0);
        Assert.True(Value(text, "dotnet_jit_methods_total") > 0);
    }
}
