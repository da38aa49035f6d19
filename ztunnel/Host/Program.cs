using Mesh.Core.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// ztunnel's entry point: flags (or their environment variables, <see cref="FlagParser"/>), then a generic host
/// (Microsoft.Extensions.Hosting: logging configured from <c>Logging__LogLevel__*</c>, SIGTERM/SIGINT through its
/// console lifetime) running <see cref="ZtunnelService"/>: the mesh (<see cref="MeshHost"/> and the parts
/// <see cref="ZtunnelServiceCollectionExtensions.AddZtunnel"/> registers), or as <c>ztunnel uninstall</c> the removal of
/// a node's capture (<see cref="Uninstaller"/>).
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
        var uninstall = args.Length > 0 && args[0] == "uninstall";
        var parse = uninstall
            ? FlagParser.Parse("ztunnel uninstall", UninstallOptions.Description, UninstallOptions.Flags, args[1..], Environment.GetEnvironmentVariable)
            : FlagParser.Parse("ztunnel", ZtunnelOptions.Description, ZtunnelOptions.Flags, args, Environment.GetEnvironmentVariable);
        if (parse.Help is { } help)
        {
            Console.Write(help);
            return 0;
        }
        Func<IServiceProvider, CancellationToken, Task<int>> run;
        Action<IServiceCollection> register = _ => { };
        var shutdown = TimeSpan.FromSeconds(10);
        try
        {
            if (parse.Error is { } error)
            {
                throw new ZtunnelConfigException(error);
            }
            if (uninstall)
            {
                var removal = UninstallOptions.From(parse.Take());
                run = (sp, _) => Task.FromResult(Uninstaller.Run(removal, sp.GetRequiredService<ILoggerFactory>()));
            }
            else
            {
                var options = ZtunnelOptions.From(parse.Take());
                register = services => services.AddZtunnel(options);
                run = (sp, stop) => sp.GetRequiredService<MeshHost>().RunAsync(stop);
                // The drain runs inside the service's stop: the host must wait for it, and a little for the pins' cleanup.
                shutdown = options.DrainTimeout + TimeSpan.FromSeconds(10);
            }
        }
        catch (ZtunnelConfigException e)
        {
            await Console.Error.WriteLineAsync($"ztunnel: {e.Message}");
            return 2;
        }
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        register(builder.Services);
        builder.Services.AddSingleton(sp => new ZtunnelService(stop => run(sp, stop), sp.GetRequiredService<IHostApplicationLifetime>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ZtunnelService>());
        using var host = builder.Build();
        var service = host.Services.GetRequiredService<ZtunnelService>();
        // RunAsync disposes the host (and its services) when it returns: the exit code is read off the instance.
        await host.RunAsync();
        return service.ExitCode;
    }
}
