using Mesh.ControlPlane.Ca;
using Mesh.Core.CommandLine;
using Mesh.ControlPlane.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Mesh.ControlPlane;

/// <summary>
/// Entry point: <c>controlplane [serve] ...</c> runs the control plane; <c>controlplane rotate-root</c>
/// rotates the self-managed root (a running control plane picks it up). See <see cref="ControlPlaneOptions.Usage"/>.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        var rest = command == "serve" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..];
        try
        {
            if (command is "help")
            {
                rest = ["--help"];
            }
            var parse = FlagParser.Parse(command is "serve" or "help" ? "controlplane" : $"controlplane {command}", ControlPlaneOptions.Description,
                ControlPlaneOptions.Flags, rest, Environment.GetEnvironmentVariable, ControlPlaneOptions.Switches);
            if (parse.Help is { } help)
            {
                Console.Write($"{ControlPlaneOptions.Usage}\n{help}");
                return 0;
            }
            var options = parse.Error is { } error ? throw new ControlPlaneOptionsException(error) : ControlPlaneOptions.From(parse.Values);
            switch (command)
            {
                case "serve":
                    await using (var app = ControlPlaneHost.Build(options))
                    {
                        await app.RunAsync();
                    }
                    return 0;
                case "rotate-root":
                    return RotateRoot(options);
                default:
                    Console.Error.WriteLine($"controlplane: unknown command '{command}'\n{ControlPlaneOptions.Usage}");
                    return 2;
            }
        }
        catch (Exception e) when (e is ControlPlaneOptionsException or CaException or Kubernetes.KubeConfigException)
        {
            Console.Error.WriteLine($"controlplane: {e.Message}");
            return 2;
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"controlplane: cannot bind: {e.Message}; pass another --listen/--monitoring or stop what holds the port");
            return 2;
        }
    }

    private static int RotateRoot(ControlPlaneOptions options)
    {
        var ca = new CaOptions { StateDirectory = options.StateDirectory, TrustDomain = options.TrustDomain, RootLifetime = options.RootLifetime };
        if (options.Finish)
        {
            Console.WriteLine(CaStore.FinishRotation(ca)
                ? $"rotate-root: old root dropped; the trust bundle ({ca.TrustBundleFile}) now holds the new root only"
                : "rotate-root: no rotation in progress; nothing to finish");
            return 0;
        }
        var root = CaStore.RotateRoot(ca, TimeProvider.System);
        Console.WriteLine($"rotate-root: new root '{root.Subject}' signs from now on; the old root stays in {ca.TrustBundleFile} " +
            $"until `controlplane rotate-root --finish --state-dir {options.StateDirectory}` (run it after one certificate TTL, when every proxy has renewed)");
        return 0;
    }
}
