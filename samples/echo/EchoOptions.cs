using System.Globalization;
using System.Net;

namespace Mesh.Samples.Echo;

/// <summary>Process-wide settings from flags; per-request query parameters override the response ones.</summary>
internal sealed record EchoOptions
{
    public string Mode { get; init; } = "http";
    public IPAddress Listen { get; init; } = IPAddress.Any;
    public int Port { get; init; } = 8080;
    public int LatencyMs { get; init; }
    public int? Size { get; init; }
    public int Status { get; init; } = 200;
    public double FailRate { get; init; }
    public string PodName { get; init; } = Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName;
    public bool Quiet { get; init; }

    public const string Usage =
        "usage: echo [--mode http|tcp-echo|tcp-sink] [--listen ADDR] [--port N] [--latency-ms N] [--size BYTES] " +
        "[--status CODE] [--fail-rate 0..1] [--pod-name NAME] [--quiet]\n" +
        "  http: HTTP/1.1 and h2c (prior knowledge) on one port; per request ?latency_ms=&status=&size=&fail_rate=";

    /// <summary>Parses flags; returns null with <paramref name="error"/> set on a bad command line.</summary>
    public static EchoOptions? Parse(string[] args, out string? error)
    {
        var o = new EchoOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            if (flag is "--quiet")
            {
                o = o with { Quiet = true };
                continue;
            }
            if (flag is "-h" or "--help")
            {
                error = "";
                return null;
            }
            if (i + 1 >= args.Length)
            {
                error = $"{flag} needs a value";
                return null;
            }
            var v = args[++i];
            try
            {
                o = flag switch
                {
                    "--mode" when v is "http" or "tcp-echo" or "tcp-sink" => o with { Mode = v },
                    "--listen" => o with { Listen = IPAddress.Parse(v) },
                    "--port" => o with { Port = int.Parse(v, CultureInfo.InvariantCulture) },
                    "--latency-ms" => o with { LatencyMs = int.Parse(v, CultureInfo.InvariantCulture) },
                    "--size" => o with { Size = int.Parse(v, CultureInfo.InvariantCulture) },
                    "--status" => o with { Status = int.Parse(v, CultureInfo.InvariantCulture) },
                    "--fail-rate" => o with { FailRate = double.Parse(v, CultureInfo.InvariantCulture) },
                    "--pod-name" => o with { PodName = v },
                    _ => throw new FormatException($"unknown flag or value: {flag} {v}"),
                };
            }
            catch (FormatException e)
            {
                error = $"{flag} {v}: {e.Message}";
                return null;
            }
        }
        if (o.Port is < 1 or > 65535 || o.FailRate is < 0 or > 1 || o.Status is < 100 or > 599 || o.LatencyMs < 0 || o.Size < 0)
        {
            error = "out of range: --port 1-65535, --fail-rate 0..1, --status 100-599, --latency-ms and --size >= 0";
            return null;
        }
        return o;
    }
}
