using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Mesh.ControlPlane.Kubernetes;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.ControlPlane.Waypoints;

/// <summary>
/// The stand-in API server (<see cref="FakeKubeApiServer"/>: kube-apiserver cannot run on this machine) with
/// the collections the waypoint controller reads and writes, and a way to wait for what it should do.
/// </summary>
internal static class WaypointCluster
{
    public static readonly string Gateways = KubeResource.Gateways.CollectionPath;
    public static readonly string Services = KubeResource.Services.CollectionPath;
    public static readonly string Deployments = KubeResource.Deployments.CollectionPath;
    public static readonly string ServiceAccounts = KubeResource.ServiceAccounts.CollectionPath;
    public static readonly string ConfigMaps = KubeResource.ConfigMaps.CollectionPath;
    public static readonly IReadOnlyList<string> OwnedPaths = [ServiceAccounts, ConfigMaps, Deployments, Services];

    public static readonly KubeInformerOptions FastInformers = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>A client of the stand-in that authenticates with a client certificate for <paramref name="user"/> (so the request log tells writers apart).</summary>
    public static k8s.Kubernetes Client(FakeKubeApiServer server, string user)
    {
        var (cert, key) = server.Certificates.IssueClient(user);
        return new k8s.Kubernetes(new KubernetesClientConfiguration
        {
            Host = server.Url.ToString(),
            SslCaCerts = [X509CertificateLoader.LoadCertificate(server.Certificates.Ca.RawData)],
            ClientCertificateData = Convert.ToBase64String(Encoding.UTF8.GetBytes(cert)),
            ClientCertificateKeyData = Convert.ToBase64String(Encoding.UTF8.GetBytes(key)),
        });
    }

    /// <summary>Creates a Gateway as a user would (the server assigns its uid); returns that uid.</summary>
    public static string AddGateway(FakeKubeApiServer server, string ns, string name, string gatewayClass = "mesh-waypoint")
    {
        var gateway = WaypointPlanTests.Gateway(ns, name, gatewayClass);
        gateway["metadata"]!["uid"] = $"uid-{ns}-{name}-{Guid.NewGuid():N}";
        server.Upsert(Gateways, gateway);
        return (string)gateway["metadata"]!["uid"]!;
    }

    /// <summary>True once the Gateway says Programmed=True with an address.</summary>
    public static bool IsProgrammed(FakeKubeApiServer server, string ns, string name) =>
        server.Get(Gateways, ns, name)?["status"] is JsonObject status
        && (status["conditions"] as JsonArray ?? []).Any(c => (string?)c?["type"] == "Programmed" && (string?)c?["status"] == "True")
        && (status["addresses"] as JsonArray)?.Count > 0;

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> and the server's write log after 20 s.</summary>
    public static async Task WaitForAsync(FakeKubeApiServer server, Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within 20 s: {what}; writes seen: " +
                    string.Join("; ", server.Requests.Where(r => r.Method != "GET").Select(r => $"{r.User} {r.Method} {r.Path}")));
            }
            await Task.Delay(20);
        }
    }
}
