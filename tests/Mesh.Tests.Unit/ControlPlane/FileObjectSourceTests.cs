using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Model;
using Mesh.Tests.Common.ControlPlane;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Unit.ControlPlane;

public sealed class FileObjectSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Pods = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: demo, labels: { mesh.dev/dataplane-mode: ambient } }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: a, namespace: demo }
        spec: { nodeName: node1 }
        status: { podIP: 198.18.1.2 }
        """;

    private static async Task<RegistrySnapshot> WaitFor(MeshStateHub hub, Func<RegistrySnapshot, bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var next = hub.NextAsync(deadline.Token);
            if (hub.Current is { } s && condition(s))
            {
                return s;
            }
            await next;
        }
    }

    [Fact]
    public async Task Watch_FolderChanges_PublishesNewSnapshots()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "cluster.yaml"), Pods);
        var hub = new MeshStateHub();
        var source = new FileObjectSource(_dir, NullLogger<FileObjectSource>.Instance, TimeProvider.System) { Rescan = TimeSpan.FromSeconds(30) };
        using var registry = new ObjectRegistry([source], hub, TranslationOptions.Default, NullLogger<ObjectRegistry>.Instance, TimeProvider.System);
        await registry.StartAsync(CancellationToken.None);
        try
        {
            var first = await WaitFor(hub, s => s.State.Workloads.Length == 1);
            Assert.True(first.State.Workloads[0].Captured);

            // Add a second file with another pod: a new snapshot holds both.
            await File.WriteAllTextAsync(Path.Combine(_dir, "more.yaml"), Pods.Replace("name: a,", "name: b,").Replace("198.18.1.2", "198.18.1.3"));
            await WaitFor(hub, s => s.State.Workloads.Length == 2);

            // A malformed file keeps its last good contents and is reported.
            await File.WriteAllTextAsync(Path.Combine(_dir, "more.yaml"), "kind: Pod\n  metadata: [oops");
            var broken = await WaitFor(hub, s => s.SourceErrors.Length > 0);
            Assert.Equal(2, broken.State.Workloads.Length);
            Assert.EndsWith("more.yaml", broken.SourceErrors[0].File);

            // Deleting the file deletes its objects.
            File.Delete(Path.Combine(_dir, "more.yaml"));
            var after = await WaitFor(hub, s => s.State.Workloads.Length == 1);
            Assert.Equal("demo/a", after.State.Workloads[0].Uid);
            Assert.Empty(after.SourceErrors);
        }
        finally
        {
            await registry.StopAsync(CancellationToken.None);
        }
    }

    private const string DenyAll = """
        apiVersion: security.mesh.dev/v1
        kind: AuthorizationPolicy
        metadata: { name: deny-all, namespace: demo }
        spec: { action: DENY, rules: [ {} ] }
        """;

    private async Task<T> WithRegistry<T>(Func<MeshStateHub, Task<T>> body, YamlLimits? limits = null)
    {
        var hub = new MeshStateHub();
        var source = new FileObjectSource(_dir, NullLogger<FileObjectSource>.Instance, TimeProvider.System)
        {
            Rescan = TimeSpan.FromSeconds(30),
            Limits = limits ?? YamlLimits.Default,
        };
        var metrics = new Mesh.ControlPlane.Metrics.ControlPlaneMetrics();
        using var registry = new ObjectRegistry([source], hub, TranslationOptions.Default, NullLogger<ObjectRegistry>.Instance, TimeProvider.System, metrics);
        await registry.StartAsync(CancellationToken.None);
        try
        {
            return await body(hub);
        }
        finally
        {
            await registry.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Watch_MalformedFileThenNewPolicy_PolicyPublishedAndFileNamedWithPosition()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "cluster.yaml"), Pods);

        var snap = await WithRegistry(async hub =>
        {
            await WaitFor(hub, s => s.State.Workloads.Length == 1);
            await File.WriteAllTextAsync(Path.Combine(_dir, "bad.yaml"), "kind: Pod\nmetadata: {name: x\nspec: [");
            await WaitFor(hub, s => s.SourceErrors.Length > 0);
            await File.WriteAllTextAsync(Path.Combine(_dir, "deny.yaml"), DenyAll);
            return await WaitFor(hub, s => s.State.Policies.Length == 1);
        });

        Assert.Equal(PolicyAction.Deny, snap.State.Policies[0].Action);
        Assert.Single(snap.State.Workloads);
        var error = Assert.Single(snap.SourceErrors);
        Assert.Equal(Path.Combine(_dir, "bad.yaml"), error.File);
        Assert.True(error.Line >= 2, error.ToString());
        Assert.Contains("file skipped", error.Message);
    }

    [Fact]
    public async Task Watch_AliasBombFile_SkippedAndOthersRead()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "bomb.yaml"), YamlBombs.Laughs(11));
        await File.WriteAllTextAsync(Path.Combine(_dir, "cluster.yaml"), Pods);

        var snap = await WithRegistry(hub => WaitFor(hub, s => s.State.Workloads.Length == 1));

        var error = Assert.Single(snap.SourceErrors);
        Assert.EndsWith("bomb.yaml", error.File);
        Assert.Contains("alias bomb", error.Message);
    }

    [Fact]
    public async Task Watch_FileOverSizeLimit_SkippedWithoutParsing()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "cluster.yaml"), Pods);
        await File.WriteAllTextAsync(Path.Combine(_dir, "huge.yaml"), "kind: ConfigMap\nmetadata: {name: huge}\ndata: {a: '" + new string('x', 5000) + "'}\n");

        var snap = await WithRegistry(hub => WaitFor(hub, s => s.State.Workloads.Length == 1), new YamlLimits { MaxFileBytes = 4096 });

        var error = Assert.Single(snap.SourceErrors);
        Assert.EndsWith("huge.yaml", error.File);
        Assert.Contains("more than the 4096", error.Message);
    }
}
