using Mesh.Ztunnel.Host;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel;

/// <summary>
/// ztunnel's entry point. For now a capture-only host (eBPF capture + passthrough proxy) driven by
/// the node's pods.json; discovery and HBONE plug in here as they land.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = CaptureHostOptions.Parse(args, out var error);
        if (options is null)
        {
            await Console.Error.WriteLineAsync($"ztunnel: {error}\n{CaptureHostOptions.Usage}");
            return 2;
        }
        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            }));
        using var stop = new CancellationTokenSource();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        return await new CaptureHost(options, loggers).RunAsync(stop.Token);
    }
}
