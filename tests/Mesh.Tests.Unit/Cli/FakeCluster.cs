using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Cli;

/// <summary>
/// meshctl's cluster commands against <see cref="FakeKubeApiServer"/>, the stand-in for kube-apiserver (no API server can
/// run on this machine); the client side is the real KubernetesClient, loaded from a real kubeconfig file.
/// </summary>
internal sealed class FakeCluster : IAsyncDisposable
{
    public const string Namespaces = "/api/v1/namespaces";
    public const string Nodes = "/api/v1/nodes";
    public const string Crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    public const string Gateways = "/apis/gateway.networking.k8s.io/v1/gateways";
    public const string GatewayClasses = "/apis/gateway.networking.k8s.io/v1/gatewayclasses";
    public const string Deployments = "/apis/apps/v1/deployments";
    public const string DaemonSets = "/apis/apps/v1/daemonsets";

    private readonly string _dir = Directory.CreateTempSubdirectory("meshctl-kube-").FullName;

    private FakeCluster(FakeKubeApiServer server)
    {
        Server = server;
        Kubeconfig = Path.Combine(_dir, "kubeconfig");
        File.WriteAllText(Kubeconfig, $"""
            apiVersion: v1
            kind: Config
            current-context: fake
            contexts:
            - name: fake
              context: {"{"}cluster: fake, user: admin{"}"}
            clusters:
            - name: fake
              cluster:
                server: {server.Url}
                certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(server.Certificates.CaPem))}
            users:
            - name: admin
              user:
                token: {server.Token}
            """);
    }

    public FakeKubeApiServer Server { get; }

    public string Kubeconfig { get; }

    public string CniConfDir => Directory.CreateDirectory(Path.Combine(_dir, "net.d")).FullName;

    public static async Task<FakeCluster> StartAsync() => new(await FakeKubeApiServer.StartAsync());

    public IKubernetes Client() => KubernetesServiceCollectionExtensions.CreateClient(KubeConfigLoader.LoadFiles([Kubeconfig]));

    public void Namespace(string name, params (string Key, string Value)[] labels)
    {
        var l = new JsonObject();
        foreach (var (k, v) in labels)
        {
            l[k] = v;
        }
        Server.Upsert(Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = l } });
    }

    public Dictionary<string, string> Labels(string collection, string? ns, string name) =>
        Server.Get(collection, ns, name)?["metadata"]?["labels"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.ToString()) ?? [];

    public void Crd(string name, string version = "v1") => Server.Upsert(Crds, new JsonObject
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["versions"] = new JsonArray(new JsonObject { ["name"] = version, ["served"] = true, ["storage"] = true }) },
    });

    public void Node(string name, string kernel, string os = "linux") => Server.Upsert(Nodes, new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["status"] = new JsonObject { ["nodeInfo"] = new JsonObject { ["operatingSystem"] = os, ["kernelVersion"] = kernel, ["architecture"] = "amd64" } },
    });

    /// <summary>What a cluster ready for the mesh has: Gateway API CRDs and two Linux nodes.</summary>
    public void Prerequisites()
    {
        foreach (var crd in new[] { "gatewayclasses", "gateways", "httproutes" })
        {
            Crd($"{crd}.gateway.networking.k8s.io");
        }
        Node("node-a", "6.18.0-1-amd64");
        Node("node-b", "6.1.0-27-cloud-amd64");
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
