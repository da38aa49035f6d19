using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Lab.Model;
using Mesh.Lab.Planning;

namespace Mesh.Lab.Runtime;

/// <summary>Reads and writes lab.json; holds the per-lab lock.</summary>
public static class LabStateStore
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string LabJsonPath(string stateDir) => Path.Combine(stateDir, "lab.json");

    /// <summary>The lab's lock file; outside the state folder, which down removes.</summary>
    internal static Task<FileLock> LockAsync(LabEnvironment env, string lab, CancellationToken ct = default) =>
        FileLock.AcquireAsync(Path.Combine(env.StateRoot, ".locks", lab + ".lock"), TimeSpan.FromSeconds(120), ct);

    internal static FileLock Lock(LabEnvironment env, string lab) =>
        FileLock.Acquire(Path.Combine(env.StateRoot, ".locks", lab + ".lock"), TimeSpan.FromSeconds(120));

    public static LabState? TryRead(string stateDir)
    {
        var path = LabJsonPath(stateDir);
        try
        {
            return JsonSerializer.Deserialize<LabState>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Write(LabState state) =>
        AtomicFile.Write(LabJsonPath(state.StateDir), JsonSerializer.Serialize(state, Json) + "\n");

    public static IReadOnlyList<string> ListLabs(LabEnvironment env)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var root in new[] { env.StateRoot, Path.Combine(env.Cgroup2Root, "mesh-lab") })
        {
            if (Directory.Exists(root))
            {
                foreach (var d in Directory.EnumerateDirectories(root))
                {
                    var n = Path.GetFileName(d);
                    if (LabNames.IsValidLabName(n))
                    {
                        names.Add(n);
                    }
                }
            }
        }
        return [.. names];
    }
}
