using System.Globalization;
using System.Text.Json;

namespace Mesh.Bench.LoadGen;

/// <summary>Constant-rate HTTP/1.1 load generator for the benchmarks; prints and optionally writes JSON.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        LoadGenOptions options;
        try
        {
            options = LoadGenOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"loadgen: {e.Message}");
            return 2;
        }
        using var cts = new CancellationTokenSource(options.Warmup + options.Duration + TimeSpan.FromSeconds(30));
        var result = await new ConstantRateRunner(options).RunAsync(cts.Token);
        var l = result.Latency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rate={options.Rate}/s achieved={result.AchievedRps:F0}/s ok={result.Ok} errors={result.Errors} " +
            $"p50={l.P50:F0}us p90={l.P90:F0}us p99={l.P99:F0}us p99.9={l.P999:F0}us max={l.Max:F0}us"));
        if (options.JsonPath is not null)
        {
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(new
            {
                rate = options.Rate,
                achieved_rps = result.AchievedRps,
                ok = result.Ok,
                errors = result.Errors,
                p50_us = l.P50,
                p90_us = l.P90,
                p99_us = l.P99,
                p999_us = l.P999,
                max_us = l.Max,
                mean_us = l.Mean,
            }));
        }
        return result.Errors > 0 && result.Ok == 0 ? 1 : 0;
    }
}
