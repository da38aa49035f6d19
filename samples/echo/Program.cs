namespace Mesh.Samples.Echo;

/// <summary>The echo sample: an HTTP/1.1 + h2c echo server, or a raw TCP echo/sink. Used by tests, the demo and benchmarks.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = EchoOptions.Parse(args, out var error);
        if (options is null)
        {
            Console.Error.WriteLine(error is { Length: > 0 } ? $"echo: {error}\n{EchoOptions.Usage}" : EchoOptions.Usage);
            return error is { Length: > 0 } ? 2 : 0;
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                stop.Cancel();
            });
        try
        {
            return options.Mode == "http"
                ? await HttpEcho.RunAsync(options, stop.Token)
                : await TcpServer.RunAsync(options, stop.Token);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"echo: cannot listen on {options.Listen}:{options.Port}: {e.Message}");
            return 1;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            Console.Error.WriteLine($"echo: cannot listen on {options.Listen}:{options.Port}: {e.Message}");
            return 1;
        }
    }
}
