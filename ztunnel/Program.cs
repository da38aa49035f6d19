using Mesh.Ztunnel.Host;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel;

/// <summary>
/// ztunnel's entry point. With --control-plane: the mesh (discovery, certificates, HBONE, policy, metrics).
/// Without: a capture-only local mode driven by --enroll-namespaces, used to test eBPF capture on its own.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
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
        if (args.Contains("--control-plane"))
        {
            ZtunnelOptions options;
            try
            {
                options = ZtunnelOptions.Parse(args);
            }
            catch (ZtunnelConfigException e)
            {
                await Console.Error.WriteLineAsync($"ztunnel: {e.Message}");
                return 2;
            }
            return await new MeshHost(options, loggers).RunAsync(stop.Token);
        }
        var local = CaptureHostOptions.Parse(args, out var error);
        if (local is null)
        {
            await Console.Error.WriteLineAsync($"ztunnel: {error}\n{ZtunnelOptions.Usage}\n{CaptureHostOptions.Usage}");
            return 2;
        }
        return await new CaptureHost(local, loggers).RunAsync(stop.Token);
    }
}
