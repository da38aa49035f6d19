using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mesh.ControlPlane.Ca;
using Mesh.Core.Identity;
using Mesh.Tests.Common.Charts;
using static Mesh.Tests.Common.Charts.RenderedChart;

namespace Mesh.Tests.Unit.Charts;

/// <summary>The CA Secret: created by the chart (and usable by the real CA code) or supplied by the user.</summary>
public sealed class ControlPlaneCaTests
{
    [HelmFact]
    public async Task Secret_DefaultValues_IsACaTheControlPlaneSignsWithAndProxiesTrust()
    {
        var chart = await Default;
        var o = ControlPlaneManifestTests.ParsedArgs(chart);
        var secret = chart.Get("Secret", "mesh-ca");
        Assert.Equal("keep", secret["metadata"]!["annotations"]!["helm.sh/resource-policy"]!.ToString());
        var dir = Directory.CreateTempSubdirectory("mesh-chart-ca-");
        try
        {
            // The files as the Deployment mounts them, at the paths its --ca-* flags name.
            var files = ChartExpectations.CaSecretKeys.ToDictionary(k => k, k => Path.Combine(dir.FullName, k));
            foreach (var (key, path) in files)
            {
                File.WriteAllBytes(path, Convert.FromBase64String(secret["data"]![key]!.ToString()));
            }
            var store = new CaStore(new CaOptions
            {
                StateDirectory = Path.Combine(dir.FullName, "state"),
                TrustDomain = o.TrustDomain,
                CaCertFile = files[Path.GetFileName(o.CaCert!)],
                CaKeyFile = files[Path.GetFileName(o.CaKey!)],
                CaBundleFile = files[Path.GetFileName(o.CaBundle!)],
            }, TimeProvider.System);

            var identity = SpiffeId.Parse($"spiffe://{o.TrustDomain}/ns/{o.Namespace}/sa/{o.ServiceAccount}");
            using var leaf = CertificateIssuer.IssueWithNewKey(store.Current.Signer, identity, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), ["controlplane"]);
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["root-cert.pem"]!.ToString())));
            Assert.True(TrustBundleFile.Validate(leaf, roots, [], identity, out var problem), problem);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [HelmFact]
    public async Task Mounts_CaFlags_PointIntoTheCaSecret()
    {
        foreach (var (chart, secretName) in new[] { (await Default, "mesh-ca"), (await Custom, "corp-mesh-ca") })
        {
            var o = ControlPlaneManifestTests.ParsedArgs(chart);
            var container = Container(chart.ControlPlane, "controlplane");
            foreach (var file in new[] { o.CaCert!, o.CaKey!, o.CaBundle! })
            {
                var (mount, volume) = VolumeFor(chart.ControlPlane, container, file);
                Assert.Equal(secretName, volume["secret"]!["secretName"]!.ToString());
                Assert.True((bool)mount["readOnly"]!);
                Assert.Contains(Path.GetFileName(file), ChartExpectations.CaSecretKeys);
            }
        }
    }

    [HelmFact]
    public async Task Secret_UserSupplied_IsNotRenderedAndZtunnelGetsOnlyTheRoots()
    {
        var chart = await Custom;

        Assert.Empty(chart.OfKind("Secret"));
        var zt = Container(chart.Ztunnel, "ztunnel");
        var rootCert = Flags(zt)["--root-cert"];
        var (_, volume) = VolumeFor(chart.Ztunnel, zt, rootCert);
        Assert.Equal("corp-mesh-ca", volume["secret"]!["secretName"]!.ToString());
        // Only root-cert.pem is projected: the signing key never reaches a node.
        var items = volume["secret"]!["items"]!.AsArray();
        Assert.Equal("root-cert.pem", Assert.Single(items)!["key"]!.ToString());
        Assert.Equal(Path.GetFileName(rootCert), items[0]!["path"]!.ToString());
    }
}
