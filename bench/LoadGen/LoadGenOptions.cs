using System.Globalization;
using System.Net;

namespace Mesh.Bench.LoadGen;

/// <summary>Command line of the constant-rate load generator.</summary>
internal sealed record LoadGenOptions
{
    public required IPEndPoint Target { get; init; }
    public string Path { get; init; } = "/";
    public int Rate { get; init; } = 1000;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);
    public int Connections { get; init; } = 32;
    public string? JsonPath { get; init; }

    public const string Usage =
        "usage: loadgen --target IP:PORT [--path /] [--rate 1000] [--duration 10] [--warmup 2] [--connections 32] [--json FILE]";

    /// <summary>Parses argv; throws <see cref="ArgumentException"/> with a one-line message on bad input.</summary>
    public static LoadGenOptions Parse(IReadOnlyList<string> args)
    {
        IPEndPoint? target = null;
        var o = new LoadGenOptions { Target = new IPEndPoint(IPAddress.Loopback, 0) };
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value; {Usage}");
            }
            var value = args[++i];
            o = name switch
            {
                "--target" => o with { Target = target = IPEndPoint.TryParse(value, out var ep) && ep.Port != 0 ? ep : throw new ArgumentException($"--target '{value}' is not IP:PORT") },
                "--path" => o with { Path = value.StartsWith('/') ? value : throw new ArgumentException($"--path '{value}' must start with /") },
                "--rate" => o with { Rate = PositiveInt(name, value) },
                "--duration" => o with { Duration = TimeSpan.FromSeconds(PositiveInt(name, value)) },
                "--warmup" => o with { Warmup = TimeSpan.FromSeconds(NonNegativeInt(name, value)) },
                "--connections" => o with { Connections = PositiveInt(name, value) },
                "--json" => o with { JsonPath = value },
                _ => throw new ArgumentException($"unknown option '{name}'; {Usage}"),
            };
        }
        return target is null ? throw new ArgumentException($"--target is required; {Usage}") : o;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"{name} '{value}' must be a whole number above 0");

    private static int NonNegativeInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n : throw new ArgumentException($"{name} '{value}' must be a whole number");
}
