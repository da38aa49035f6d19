using Mesh.Ztunnel.Host;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel;

/// <summary>
/// ztunnel's entry point. With --control-plane: the mesh (discovery, certificates, HBONE, policy, metrics).
/// Without: a capture-only local mode driven by --enroll-namespaces, used to test eBPF capture on its own.
/// </summary>
internal static class Program
{
    /// <summary>
    /// Socket completions run on the runtime's epoll threads instead of hopping to the thread pool. With the
    /// HTTP/2 layer continuing inline as well, a byte goes from one socket to the next without a thread
    /// switch (perf at 1000 req/s: most of ztunnel's CPU was futex waits and context switches; CPU per
    /// request fell by about 40%). The runtime reads this variable once, when the first socket is used, so
    /// it is set before anything else; an operator's own value wins.
    /// </summary>
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static async Task<int> Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
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
        if (args.Contains("--control-plane") && !(args.Length > 0 && args[0] == "uninstall"))
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
