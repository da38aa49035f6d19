using System.Diagnostics;

namespace Mesh.Lab.Runtime;

/// <summary>Sends signals to PIDs the lab owns.</summary>
internal static class Signal
{
    public static void Kill(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            p.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    public static async Task TermAsync(int pid, CancellationToken ct = default) =>
        await Shell.RunAsync("kill", ["-s", "TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct: ct);

    public static async Task HangUpAsync(int pid, CancellationToken ct = default) =>
        await Shell.RunAsync("kill", ["-s", "HUP", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct: ct);

    public static bool Alive(int pid) => Directory.Exists($"/proc/{pid}") && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
