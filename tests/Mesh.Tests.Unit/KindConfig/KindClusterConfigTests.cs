using System.Text.Json.Nodes;
using Mesh.ControlPlane.Registry;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Unit.KindConfig;

/// <summary>kind-config/cluster.yaml, read as kind reads it (kind itself cannot run here: no kind binary, DESIGN.md).</summary>
public sealed class KindClusterConfigTests
{
    private static JsonObject Config() =>
        YamlDocuments.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "kind-config", "cluster.yaml"))).Single();

    [Fact]
    public void ClusterYaml_Nodes_OneControlPlaneAndTwoWorkers()
    {
        var config = Config();

        Assert.Equal("Cluster", config["kind"]!.GetValue<string>());
        Assert.Equal("kind.x-k8s.io/v1alpha4", config["apiVersion"]!.GetValue<string>());
        Assert.Equal(["control-plane", "worker", "worker"], config["nodes"]!.AsArray().Select(n => n!["role"]!.GetValue<string>()));
    }

    [Fact]
    public void ClusterYaml_NodeImage_OnePinnedByDigestOnEveryNode()
    {
        var images = Config()["nodes"]!.AsArray().Select(n => n!["image"]!.GetValue<string>()).Distinct().ToList();

        var image = Assert.Single(images);
        Assert.Matches(@"^kindest/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$", image);
        // kind-test.sh's KIND_NODE_IMAGE rewrites exactly these lines.
        Assert.Equal(3, File.ReadLines(Path.Combine(RepoPaths.Root, "kind-config", "cluster.yaml")).Count(l => l.TrimStart().StartsWith("image: kindest/node:", StringComparison.Ordinal)));
    }

    [Fact]
    public void ClusterYaml_Kubelet_SystemdCgroupDriverAndKindnetKept()
    {
        var config = Config();

        var patches = config["kubeadmConfigPatches"]!.AsArray().Select(p => YamlDocuments.Parse(p!.GetValue<string>()).Single()).ToList();
        var kubelet = Assert.Single(patches, p => p["kind"]!.GetValue<string>() == "KubeletConfiguration");
        Assert.Equal("systemd", kubelet["cgroupDriver"]!.GetValue<string>());
        // The chart's install-cni chains mesh-cni into the cluster's CNI conf list: kind's own (kindnet) must stay.
        Assert.False(config["networking"]?["disableDefaultCNI"]?.GetValue<bool>() ?? false);
    }
}
