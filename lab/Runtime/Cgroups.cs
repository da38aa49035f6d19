namespace Mesh.Lab.Runtime;

/// <summary>cgroup v2 folders of a lab: create, list member PIDs, kill members, remove.</summary>
internal static class Cgroups
{
    public static void Create(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(path);
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
                // A lab going down removed the shared parent between our mkdirs; try again.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new LabException($"cannot create cgroup {path}: {e.Message}; the lab needs root and a writable cgroup2 mount", e);
            }
        }
    }

    /// <summary>PIDs listed in cgroup.procs of <paramref name="path"/> and every cgroup below it.</summary>
    public static List<int> Members(string path)
    {
        var pids = new List<int>();
        if (!Directory.Exists(path))
        {
            return pids;
        }
        foreach (var dir in new[] { path }.Concat(Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories)))
        {
            try
            {
                foreach (var line in File.ReadAllLines(Path.Combine(dir, "cgroup.procs")))
                {
                    if (int.TryParse(line, out var pid))
                    {
                        pids.Add(pid);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    /// <summary>
    /// SIGKILLs every process in the cgroup tree (by PID from cgroup.procs: only processes the lab put there) and
    /// removes the folders, deepest first.
    /// </summary>
    public static async Task KillAndRemoveAsync(string path, CancellationToken ct = default)
    {
        if (!Directory.Exists(path))
        {
            return;
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var pids = Members(path);
            if (pids.Count == 0)
            {
                break;
            }
            foreach (var pid in pids)
            {
                Signal.Kill(pid);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new LabException($"processes {string.Join(',', pids)} in {path} did not exit after SIGKILL; check them with ps and run down again");
            }
            await Task.Delay(20, ct);
        }
        var dirs = Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories)
            .OrderByDescending(d => d.Length).Append(path).ToList();
        foreach (var d in dirs)
        {
            await RemoveAsync(d, ct);
        }
    }

    /// <summary>rmdir of a cgroup, retried briefly while exiting tasks leave it.</summary>
    public static async Task RemoveAsync(string dir, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: false);
                }
                return;
            }
            catch (IOException) when (attempt < 100)
            {
                await Task.Delay(20, ct);
            }
            catch (IOException e)
            {
                throw new LabException($"cannot remove cgroup {dir}: {e.Message}; check cgroup.procs there and run down again", e);
            }
        }
    }

    /// <summary>True when process <paramref name="pid"/> lives in a cgroup under <paramref name="cgroupPath"/> (relative to the cgroup2 root).</summary>
    public static bool Contains(string cgroup2Root, string cgroupPath, int pid)
    {
        try
        {
            var rel = "/" + Path.GetRelativePath(cgroup2Root, cgroupPath).Replace('\\', '/');
            foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
            {
                if (line.StartsWith("0::", StringComparison.Ordinal))
                {
                    var p = line[3..];
                    return p == rel || p.StartsWith(rel + "/", StringComparison.Ordinal);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return false;
    }
}
