using Mesh.Cli;
using Mesh.Cli.Cluster;
using Mesh.Cli.Terminal;
using Mesh.Core;

namespace Mesh.Tests.Unit.Cli.Cluster;

/// <summary>meshctl enroll/unenroll against the stand-in API server (<see cref="FakeCluster"/>: no kube-apiserver runs here).</summary>
public sealed class EnrollCommandTests
{
    [Fact]
    public async Task RunAsync_Enroll_LabelsTheNamespaceAndKeepsItsOtherLabels()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Namespace("apps", ("team", "payments"));
        using var client = cluster.Client();
        var output = new StringWriter();

        var exit = await EnrollCommand.RunAsync(client, "apps", enroll: true, output, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "payments", [MeshLabels.DataplaneMode] = "ambient" }, cluster.Labels(FakeCluster.Namespaces, null, "apps"));
        Assert.StartsWith("namespace apps enrolled (mesh.dev/dataplane-mode=ambient)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(cluster.Server.Requests, r => r.Method == "PATCH" && r.Path == "/api/v1/namespaces/apps");
    }

    [Fact]
    public async Task RunAsync_Unenroll_RemovesOnlyTheMeshLabel()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Namespace("apps", ("team", "payments"), (MeshLabels.DataplaneMode, "ambient"));
        using var client = cluster.Client();

        var exit = await EnrollCommand.RunAsync(client, "apps", enroll: false, new StringWriter(), CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "payments" }, cluster.Labels(FakeCluster.Namespaces, null, "apps"));
    }

    [Fact]
    public async Task RunAsync_MissingNamespace_SaysToCreateIt()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var client = cluster.Client();

        var e = await Assert.ThrowsAsync<ClusterException>(() => EnrollCommand.RunAsync(client, "nope", enroll: true, new StringWriter(), CancellationToken.None));

        Assert.Equal("namespace nope does not exist; create it first (kubectl create namespace nope)", e.Message);
    }

    [Fact]
    public async Task RunAsync_MeshNamespace_IsAUsageError()
    {
        await using var cluster = await FakeCluster.StartAsync();
        using var client = cluster.Client();

        var e = await Assert.ThrowsAsync<UsageException>(() => EnrollCommand.RunAsync(client, MeshLabels.RootNamespace, enroll: true, new StringWriter(), CancellationToken.None));

        Assert.Contains("its pods are never captured", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RejectedCredential_IsOneLineWithTheStatus()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Namespace("apps");
        using var client = cluster.Client();
        cluster.Server.Token = "rotated";

        var e = await Assert.ThrowsAsync<ClusterException>(() => EnrollCommand.RunAsync(client, "apps", enroll: true, new StringWriter(), CancellationToken.None));

        Assert.StartsWith("cannot label namespace apps: the API server answered 401", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
