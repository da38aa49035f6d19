extern alias cni;

using System.Text.Json.Nodes;
using cni::Mesh.Cni.Install;
using Mesh.ControlPlane;
using Mesh.Ztunnel;
using static Mesh.Tests.Common.Charts.RenderedChart;

namespace Mesh.Tests.Unit.Charts;

/// <summary>
/// The rendered containers' command lines through the binaries' own option parsers (<see cref="ControlPlaneOptions.Parse"/>,
/// <see cref="ZtunnelOptions.Parse"/>, <see cref="CniInstallOptions.Parse"/>), so a flag the chart passes that a binary
/// does not take, or a value it refuses, fails a test; there is no list of flags to keep in step.
/// </summary>
public static class ChartExpectations
{
    /// <summary>The node name the kubelet puts into $(NODE_NAME) in these tests.</summary>
    public const string NodeName = "node-a";

    /// <summary>The .NET logging setting both components get from the chart's logLevel (the control plane's host
    /// reads it; ztunnel's LoggerFactory does not yet).</summary>
    public const string LogLevelEnv = "Logging__LogLevel__Default";

    /// <summary>The file name of the socket under cni.socketDir.</summary>
    public const string CniSocketFile = "cni.sock";

    /// <summary>The CA Secret's keys (Istio's cacerts names).</summary>
    public static readonly string[] CaSecretKeys = ["ca-cert.pem", "ca-key.pem", "root-cert.pem"];

    /// <summary>The control plane container's args after the `serve` command word, parsed as the binary parses them.</summary>
    public static ControlPlaneOptions ControlPlaneArgs(JsonObject container)
    {
        var args = Strings(container["args"]);
        Assert.Equal("serve", args[0]);
        var options = ControlPlaneOptions.Parse(args[1..]);
        options.ValidateForServe();
        return options;
    }

    /// <summary>
    /// The ztunnel container's args as the kubelet hands them to the binary ($(VAR) from the container's env, the
    /// downward API's spec.nodeName as <see cref="NodeName"/>), parsed by ztunnel. The files ztunnel requires at start
    /// (the token and trust bundle the kubelet mounts from projected and secret volumes) are created under
    /// <paramref name="root"/>, which the returned paths are prefixed with.
    /// </summary>
    public static ZtunnelOptions ZtunnelArgs(JsonObject workload, JsonObject container, string root)
    {
        var env = container["env"]!.AsArray().OfType<JsonObject>().ToDictionary(e => e["name"]!.ToString(),
            e => (string?)e["value"] ?? ((string?)e["valueFrom"]?["fieldRef"]?["fieldPath"] == "spec.nodeName" ? NodeName : null));
        var args = new List<string>();
        foreach (var arg in Strings(container["args"]))
        {
            var expanded = System.Text.RegularExpressions.Regex.Replace(arg, @"\$\((\w+)\)", m => env.GetValueOrDefault(m.Groups[1].Value) ?? m.Value);
            if (expanded.StartsWith('/') && TryVolumeFor(workload, container, expanded) is { } volume
                && (volume["secret"] is not null || volume["projected"] is not null))
            {
                var file = root + expanded;
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllText(file, "kubelet-written");
                expanded = file;
            }
            args.Add(expanded);
        }
        return ZtunnelOptions.Parse(args);
    }

    /// <summary>The install-cni container's command and args: `/app/mesh-cni install ...`, parsed by mesh-cni's installer.</summary>
    public static CniInstallOptions InstallCniArgs(JsonObject container)
    {
        Assert.Equal(["/app/mesh-cni"], Strings(container["command"]));
        var args = Strings(container["args"]);
        Assert.Equal("install", args[0]);
        return CniInstallOptions.Parse(args[1..]);
    }

    private static JsonObject? TryVolumeFor(JsonObject workload, JsonObject container, string file)
    {
        try
        {
            return VolumeFor(workload, container, file).Volume;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
