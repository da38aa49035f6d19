using Mesh.Core.CommandLine;

namespace Mesh.Waypoint.Host;

/// <summary>The waypoint's entry point: options from flags and the environment, then <see cref="WaypointHost"/> on the generic host until SIGTERM/SIGINT.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var parse = FlagParser.Parse("waypoint", WaypointOptions.Description, WaypointOptions.Flags, args, Environment.GetEnvironmentVariable);
        if (parse.Help is { } help)
        {
            Console.Write(help);
            return 0;
        }
        WaypointOptions options;
        try
        {
            options = parse.Error is { } error ? throw new WaypointConfigException(error) : WaypointOptions.From(parse.Take());
        }
        catch (WaypointConfigException e)
        {
            await Console.Error.WriteLineAsync($"waypoint: {e.Message}");
            return 2;
        }
        return await new WaypointHost(options).RunAsync();
    }
}
