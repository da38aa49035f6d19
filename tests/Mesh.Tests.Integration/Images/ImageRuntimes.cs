using Mesh.Lab.Runtime;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Images;

/// <summary>
/// The tests' own container runtimes, each with everything under a temp folder: a Docker daemon
/// (scripts/dockerd.sh: no iptables, no default bridge) that builds the project's images and the echo sample's with scripts/images.sh, and
/// containerd (scripts/containerd.sh, no CRI plugin), the runtime of Kubernetes nodes and kind, with the saved
/// images imported as `kind load image-archive` does. Both stopped, their image stores deleted, on dispose. One per
/// test class.
/// </summary>
public sealed class ImageRuntimes : IAsyncLifetime
{
    public const string CtrNamespace = "mesh-test";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"mesh-docker-{Guid.NewGuid():N}"[..20]);
    private readonly string _containerd = Path.Combine(Path.GetTempPath(), $"mesh-ctrd-{Guid.NewGuid():N}"[..18]);
    private readonly SemaphoreSlim _start = new(1, 1);
    private Task? _ready;

    public string Tag { get; } = File.ReadLines(Path.Combine(RepoPaths.Root, "charts", "mesh", "Chart.yaml"))
        .Single(l => l.StartsWith("appVersion:", StringComparison.Ordinal))["appVersion:".Length..].Trim().Trim('"');

    /// <summary>Environment for a docker client of this daemon.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DOCKER_HOST"] = $"unix://{_dir}/docker.sock",
        ["DOCKER_API_VERSION"] = "1.41",
    };

    /// <summary>Starts the daemon and builds the images once (the first test to ask waits).</summary>
    public async Task ReadyAsync()
    {
        await _start.WaitAsync();
        try
        {
            _ready ??= StartAsync();
        }
        finally
        {
            _start.Release();
        }
        await _ready;
    }

    public Task<CommandResult> DockerAsync(IEnumerable<string> args, TimeSpan? timeout = null) =>
        Shell.RunAsync("docker", args, timeout: timeout ?? TimeSpan.FromMinutes(2), env: Environment);

    /// <summary>ctr against the tests' containerd, in <see cref="CtrNamespace"/>.</summary>
    public Task<CommandResult> CtrAsync(IEnumerable<string> args, TimeSpan? timeout = null) =>
        Shell.RunAsync("ctr", ["--address", Path.Combine(_containerd, "containerd.sock"), "--namespace", CtrNamespace, .. args], timeout: timeout ?? TimeSpan.FromMinutes(2));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var ctrd = await Shell.RunAsync(Script("containerd.sh"), ["stop", _containerd], timeout: TimeSpan.FromMinutes(1));
        var stop = await Shell.RunAsync(Script("dockerd.sh"), ["stop", _dir], timeout: TimeSpan.FromMinutes(1));
        if (!stop.Ok || Directory.Exists(_dir) || !ctrd.Ok || Directory.Exists(_containerd))
        {
            throw new InvalidOperationException($"the test's runtimes did not stop cleanly: dockerd {stop.ExitCode} {stop.Stderr}; containerd {ctrd.ExitCode} {ctrd.Stderr}");
        }
        // Their containers' parent cgroups go with them.
        var left = Directory.GetDirectories("/sys/fs/cgroup", "*", SearchOption.TopDirectoryOnly)
            .SelectMany(h => new[] { Path.Combine(h, "mesh-docker"), Path.Combine(h, CtrNamespace) }).Where(Directory.Exists).ToList();
        if (left.Count > 0)
        {
            throw new InvalidOperationException($"cgroups of the test's runtimes outlived them: {string.Join(", ", left)}");
        }
    }

    private async Task StartAsync()
    {
        var start = await Shell.RunAsync(Script("dockerd.sh"), ["start", _dir], timeout: TimeSpan.FromMinutes(1));
        if (!start.Ok)
        {
            throw new InvalidOperationException($"dockerd.sh start failed ({start.ExitCode}): {start.Stderr}");
        }
        // The mesh's images and the echo sample's (kind-config's workloads and clients).
        var env = new Dictionary<string, string>(Environment) { ["CONFIG"] = RepoPaths.Configuration, ["COMPONENTS"] = "controlplane ztunnel waypoint echo" };
        var build = await Shell.RunAsync(Script("images.sh"), [], timeout: TimeSpan.FromMinutes(5), env: env);
        if (!build.Ok)
        {
            throw new InvalidOperationException($"images.sh failed ({build.ExitCode}): {build.Stdout}{build.Stderr}");
        }
        var ctrd = await Shell.RunAsync(Script("containerd.sh"), ["start", _containerd], timeout: TimeSpan.FromMinutes(1));
        if (!ctrd.Ok)
        {
            throw new InvalidOperationException($"containerd.sh start failed ({ctrd.ExitCode}): {ctrd.Stderr}");
        }
        foreach (var image in new[] { "ztunnel", "controlplane" })
        {
            var import = await CtrAsync(["images", "import", Path.Combine(RepoPaths.Root, "artifacts", "images", image + ".tar")]);
            if (!import.Ok)
            {
                throw new InvalidOperationException($"ctr images import {image}.tar failed ({import.ExitCode}): {import.Stderr}");
            }
        }
    }

    private static string Script(string name) => Path.Combine(RepoPaths.Root, "scripts", name);
}
