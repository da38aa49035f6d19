using System.Diagnostics;
using System.Threading.Channels;
using Mesh.Native.Time;

namespace Mesh.Bench.LoadGen;

/// <summary>
/// Open-loop load: requests are due at fixed intervals whatever the server does, and each latency is
/// measured from the moment the request was due, so a slow response delays and counts against every
/// request queued behind it (no coordinated omission).
/// </summary>
internal sealed class ConstantRateRunner
{
    private readonly LoadGenOptions _options;

    public ConstantRateRunner(LoadGenOptions options) => _options = options;

    public sealed record Result(LatencySummary Latency, long Sent, long Ok, long Errors, double AchievedRps, double ElapsedSeconds);

    public async Task<Result> RunAsync(CancellationToken ct)
    {
        var o = _options;
        var due = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleWriter = true });
        var latencies = new List<double>[o.Connections];
        long ok = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        var warmupTicks = (long)(o.Warmup.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, o.Connections).Select(i => Task.Run(async () =>
        {
            latencies[i] = new List<double>(o.Rate * (int)o.Duration.TotalSeconds / o.Connections + 16);
            await using var conn = new Http1Connection(o.Target, o.Path);
            await foreach (var dueTicks in due.Reader.ReadAllAsync(ct))
            {
                var status = await conn.RoundTripAsync(ct);
                var done = clock.ElapsedTicks;
                if (dueTicks < warmupTicks) continue;
                if (status is >= 200 and < 400)
                {
                    Interlocked.Increment(ref ok);
                    latencies[i].Add((done - dueTicks) * 1_000_000.0 / Stopwatch.Frequency);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }, ct)).ToArray();

        var total = (long)((o.Warmup + o.Duration).TotalSeconds * o.Rate);
        var scheduler = new Thread(() =>
        {
            // Sleep to each due time (no spinning: on 2 cores a spinning scheduler takes a core from the
            // path under test); a late wake-up counts against the requests, as it should in an open loop.
            MonotonicSleep.UseTightTimerSlack();
            var origin = Stopwatch.GetTimestamp() - clock.ElapsedTicks;
            for (long i = 0; i < total && !ct.IsCancellationRequested; i++)
            {
                var dueTicks = i * Stopwatch.Frequency / o.Rate;
                if (clock.ElapsedTicks < dueTicks) MonotonicSleep.Until(origin + dueTicks);
                due.Writer.TryWrite(dueTicks);
            }
            due.Writer.Complete();
        }) { IsBackground = true, Name = "loadgen-scheduler", Priority = ThreadPriority.AboveNormal };
        scheduler.Start();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed.TotalSeconds - o.Warmup.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToList();
        var measured = ok + errors;
        return new Result(LatencySummary.From(all), measured, ok, errors, measured / elapsed, elapsed);
    }
}
