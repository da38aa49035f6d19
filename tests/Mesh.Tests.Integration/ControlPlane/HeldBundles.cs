using System.Text.RegularExpressions;
using Mesh.Lab.Launch;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>The trust bundles a lab ztunnel took from the control plane, in order, read from its log (5300): SHA-256 fingerprints each.</summary>
internal static partial class HeldBundles
{
    [GeneratedRegex(@"trust bundle: holding \d+ anchor\(s\) from the control plane, sha256 (?<fps>[0-9a-f,]+)")]
    private static partial Regex Held();

    public static List<string[]> Of(LabFixture lab, string node) =>
        [.. Held().Matches(lab.ProcessLog(LabMesh.ZtunnelLog(node))).Select(m => m.Groups["fps"].Value.Split(','))];
}
