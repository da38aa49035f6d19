using Mesh.Lab.Planning;

namespace Mesh.Lab.Runtime;

/// <summary>
/// <c>unreachable 198.18.0.0/15</c> in the root namespace, shared by all labs: each lab holding it has a
/// <c>root-route</c> marker in its state folder; the last lab to go removes the route (unless it was there before
/// any lab, which a marker in the state root remembers).
/// </summary>
internal static class RootRoute
{
    private const string Marker = "root-route";
    private const string Preexisting = ".root-route-preexisting";

    public static async Task AcquireAsync(LabEnvironment env, string stateDir, CancellationToken ct)
    {
        using var l = await FileLock.AcquireAsync(Path.Combine(env.StateRoot, ".locks", "root-route.lock"), TimeSpan.FromSeconds(60), ct);
        var exists = await ExistsAsync(ct);
        if (exists && Holders(env).Count == 0)
        {
            File.WriteAllText(Path.Combine(env.StateRoot, Preexisting), "");
        }
        File.WriteAllText(Path.Combine(stateDir, Marker), "");
        if (!exists)
        {
            await Shell.IpAsync("adding the root unreachable route", ["route", "add", "unreachable", LabAddresses.LabRange], ct: ct);
        }
    }

    public static async Task ReleaseAsync(LabEnvironment env, string stateDir, CancellationToken ct)
    {
        var mine = Path.Combine(stateDir, Marker);
        if (!File.Exists(mine))
        {
            return;
        }
        using var l = await FileLock.AcquireAsync(Path.Combine(env.StateRoot, ".locks", "root-route.lock"), TimeSpan.FromSeconds(60), ct);
        File.Delete(mine);
        if (Holders(env).Count > 0)
        {
            return;
        }
        var pre = Path.Combine(env.StateRoot, Preexisting);
        if (File.Exists(pre))
        {
            File.Delete(pre);
            return;
        }
        if (await ExistsAsync(ct))
        {
            await Shell.IpAsync("removing the root unreachable route", ["route", "del", "unreachable", LabAddresses.LabRange], ct: ct);
        }
    }

    private static List<string> Holders(LabEnvironment env) =>
        Directory.Exists(env.StateRoot)
            ? [.. Directory.EnumerateDirectories(env.StateRoot).Where(d => File.Exists(Path.Combine(d, Marker)))]
            : [];

    private static async Task<bool> ExistsAsync(CancellationToken ct)
    {
        var r = await Shell.RunAsync("ip", ["route", "show", "type", "unreachable", LabAddresses.LabRange], ct: ct);
        return r.Ok && r.Stdout.Contains(LabAddresses.LabRange, StringComparison.Ordinal);
    }
}
