using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
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
            Assert.Contains("more.yaml", broken.SourceErrors[0]);

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
}
