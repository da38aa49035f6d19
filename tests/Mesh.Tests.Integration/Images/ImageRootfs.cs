using System.Diagnostics;
using System.Text.Json;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Images;

/// <summary>
/// One component's image without a container runtime (none runs here): the rootfs `make images` stages
/// (scripts/image-rootfs.sh), run as its Dockerfile says (ENV, USER, ENTRYPOINT) the way a runtime would: a private
/// mount, PID and network namespace, proc and dev mounted, chroot into the tree. The namespaces, and so the
/// mounts, end with the process; the tree is deleted on dispose.
/// </summary>
public sealed class ImageRootfs : IDisposable
{
    private ImageRootfs(string component, DirectoryInfo dir, string log)
    {
        Component = component;
        Directory = dir;
        StageLog = log;
    }

    public string Component { get; }

    public DirectoryInfo Directory { get; }

    public string Path => Directory.FullName;

    public string StageLog { get; }

    public static async Task<ImageRootfs> StageAsync(string component)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory($"mesh-image-{component}-");
        var (exit, output) = await RunAsync("/usr/bin/env", [$"CONFIG={RepoPaths.Configuration}", System.IO.Path.Combine(RepoPaths.Root, "scripts", "image-rootfs.sh"), component, dir.FullName]);
        if (exit != 0)
        {
            dir.Delete(recursive: true);
            throw new InvalidOperationException($"image-rootfs.sh {component} failed ({exit}): {output}");
        }
        return new ImageRootfs(component, dir, output);
    }

    /// <summary>Runs the image's entrypoint with <paramref name="args"/> as images/&lt;component&gt;/Dockerfile specifies.</summary>
    public Task<(int ExitCode, string Output)> RunEntrypointAsync(params string[] args) => RunEntrypointAsync(null, args);

    /// <summary>
    /// Same, with only <paramref name="capabilities"/> (Kubernetes names: BPF, NET_ADMIN, ...) left in the bounding
    /// set, as a runtime grants a container's securityContext (capsh chroots, drops the rest, then execs as uid 0).
    /// </summary>
    public Task<(int ExitCode, string Output)> RunEntrypointAsync(IReadOnlyCollection<string>? capabilities, params string[] args) =>
        RunContainerAsync(capabilities, null, new Dictionary<string, string>(), args);

    /// <summary>
    /// Same, as a container spec runs it: <paramref name="command"/> (a pod's <c>command</c>) instead of the ENTRYPOINT
    /// when given, and each host folder of <paramref name="binds"/> (host path -> path in the container) bind-mounted,
    /// as hostPath volumes are. An empty <paramref name="capabilities"/> drops every one.
    /// </summary>
    public Task<(int ExitCode, string Output)> RunContainerAsync(
        IReadOnlyCollection<string>? capabilities, IReadOnlyList<string>? command, IReadOnlyDictionary<string, string> binds, params string[] args)
    {
        var dockerfile = File.ReadAllLines(System.IO.Path.Combine(RepoPaths.Root, "images", Component, "Dockerfile"));
        var env = dockerfile.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)).Select(l => l[4..].Trim()).ToList();
        var user = dockerfile.Single(l => l.StartsWith("USER ", StringComparison.Ordinal))[5..].Trim();
        var entrypoint = command?.ToArray() ?? JsonSerializer.Deserialize<string[]>(dockerfile.Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))[11..])!;
        var mounts = string.Concat(binds.Select(b => $"mkdir -p {Quote(Path + b.Value)} && mount --bind {Quote(b.Key)} {Quote(Path + b.Value)} && "));
        string shell;
        var drop = "";
        if (capabilities is null)
        {
            shell = string.Join(' ', new[] { "env", "-i" }.Concat(env).Concat(["/usr/sbin/chroot", $"--userspec={user}", Path]).Concat(entrypoint).Concat(args).Select(Quote));
        }
        else
        {
            if (user is not ("0" or "0:0"))
            {
                throw new InvalidOperationException($"{Component}: capabilities are granted here to uid 0 only, the Dockerfile says USER {user}");
            }
            var keep = string.Join('|', capabilities.Select(c => "cap_" + c.ToLowerInvariant()));
            drop = $"drop=$(/usr/sbin/capsh --print | sed -n 's/^Bounding set =//p' | tr , '\\n' | grep -vxE {Quote(keep)} | paste -sd,) && ";
            shell = string.Join(' ', new[] { "env", "-i" }.Concat(env).Select(Quote)) + $" /usr/sbin/capsh --chroot={Quote(Path)} --drop=\"$drop\" " +
                string.Join(' ', new[] { $"--shell={entrypoint[0]}", "--" }.Concat(entrypoint.Skip(1)).Concat(args).Select(Quote));
        }
        var script = $"ip link set lo up && mount -t proc proc {Quote(Path + "/proc")} && mount --rbind /dev {Quote(Path + "/dev")} && {mounts}{drop}exec {shell}";
        return RunAsync("/usr/bin/unshare", ["--mount", "--propagation", "private", "--pid", "--net", "--fork", "/bin/sh", "-c", script]);
    }

    public void Dispose() => Directory.Delete(recursive: true);

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not end in 2 minutes: {await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
