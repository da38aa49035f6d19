using System.Diagnostics;
using System.Text.Json.Nodes;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Bench;

/// <summary>
/// Smoke test of the benchmark harness (bench/bench.sh): every configuration runs end to end on a tiny
/// load and the results files hold real figures. No figure is judged here: performance is read from
/// `make bench`, never asserted in a test.
/// </summary>
public sealed class BenchHarnessTests
{
    [RootFact]
    public async Task BenchScript_TinyLoad_RunsEveryConfigurationAndWritesResults()
    {
        var id = Guid.NewGuid().ToString("N")[..5];
        var output = Directory.CreateTempSubdirectory("mesh-bench-smoke-");
        try
        {
            var psi = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "bench", "bench.sh")])
            {
                WorkingDirectory = RepoPaths.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment =
                {
                    ["REPS"] = "1", ["RATE"] = "50", ["LAT_SECONDS"] = "1", ["WRK_SECONDS"] = "1", ["BULK_SECONDS"] = "1", ["BULK_HTTP_MB"] = "4",
                    ["WARMUP_SECONDS"] = "0", ["IDLE_SETTLE_SECONDS"] = "1",
                    ["IDLE_PODS"] = "3", ["REDIS_N"] = "500", ["FLAVORS"] = "aot", ["OUT"] = output.FullName, ["BUILD"] = RepoPaths.Configuration,
                    ["LAB"] = $"sb{id}", ["IDLE_LAB"] = $"si{id}",
                },
            };
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(deadline.Token);
            var log = await stdout + await stderr;
            Assert.True(process.ExitCode == 0, $"bench.sh exited {process.ExitCode}:\n{log}");

            var json = JsonNode.Parse(await File.ReadAllTextAsync(Directory.GetFiles(output.FullName, "bench-*.json").Single()))!;
            var configs = json["configs"]!.AsObject();
            // One flavor (the AOT binaries, as the lab runs them): the JIT flavor only repeats the mesh and waypoint rows
            // with other binaries, and a second lab would double this test's time.
            Assert.Equal(["haproxy", "mesh", "nginx", "nomesh", "waypoint"], configs.Select(c => c.Key).Order());
            foreach (var (name, figures) in configs)
            {
                Assert.True(figures!["max_rps"]!["median"]!.GetValue<double>() > 0, $"{name}: no wrk throughput");
                Assert.True(figures["p50_us"]!["median"]!.GetValue<double>() > 0, $"{name}: no latency");
                Assert.True(figures["bulk_mb_s"]!["median"]!.GetValue<double>() > 0, $"{name}: no bulk throughput");
            }
            foreach (var run in json["raw"]!.AsArray())
            {
                Assert.True(run!["errors"]!.GetValue<long>() == 0, $"{run["config"]}: the load generator saw errors");
            }
            // The proxies were measured: CPU and RSS of every proxy process, ztunnel idle with enrolled pods.
            Assert.Equal(2, json["proxy_rss_each_mb"]!["mesh"]!.AsArray().Count);
            Assert.Equal(3, json["proxy_rss_each_mb"]!["waypoint"]!.AsArray().Count);
            Assert.Equal(4, json["proxy_rss_each_mb"]!["nginx"]!.AsArray().Count);
            Assert.True(json["proxy_rss_each_mb"]!["haproxy"]!.AsArray().Count >= 5, "haproxy: its process and the four nginx processes");
            // redis-benchmark through the bare path, the mesh and the nginx tunnel.
            foreach (var name in new[] { "nomesh", "mesh", "nginx" })
            {
                Assert.True(configs[name]!["redis_set_rps"]!["median"]!.GetValue<double>() > 0, $"{name}: no redis SET rate");
                Assert.True(configs[name]!["redis_get_p50_ms"]!["median"]!.GetValue<double>() > 0, $"{name}: no redis GET latency");
            }
            Assert.True(configs["mesh"]!["cpu_s_per_1000"]!["median"]!.GetValue<double>() > 0, "mesh: no proxy CPU measured");
            Assert.True(json["ztunnel_idle_rss_mb"]!["aot"]!.GetValue<double>() > 0, "no idle ztunnel RSS");
            var idleMemory = json["ztunnel_idle_memory"]!["aot"]!;
            Assert.True(idleMemory["anon_mb"]!.GetValue<double>() > 0 && idleMemory["file_mb"]!.GetValue<double>() > 0, $"no idle memory breakdown: {idleMemory}");
            Assert.True(idleMemory["gc_committed_mb"]!.GetValue<double>() > 0, $"no GC committed size from ztunnel's metrics: {idleMemory}");
            Assert.True(json["ztunnel_ready_ms"]!["aot"]!.GetValue<double>() > 0, "no start-to-ready time");
            Assert.True(json["mesh_cni_exec_ms"]!["median_ms"]!.GetValue<double>() > 0, $"no mesh-cni exec time: {json["mesh_cni_exec_ms"]}");
            var table = await File.ReadAllTextAsync(Directory.GetFiles(output.FullName, "bench-*.md").Single());
            Assert.Contains("mesh vs nginx", table, StringComparison.Ordinal);
            Assert.Contains("waypoint vs haproxy", table, StringComparison.Ordinal);
            Assert.Contains("mesh-cni (AOT) from exec to exit", table, StringComparison.Ordinal);
            // Both labs are gone again.
            var left = Directory.Exists("/run/netns")
                ? Directory.GetFiles("/run/netns").Select(Path.GetFileName).Where(n => n!.StartsWith($"sb{id}", StringComparison.Ordinal) || n.StartsWith($"si{id}", StringComparison.Ordinal)).ToList()
                : [];
            Assert.Empty(left);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
