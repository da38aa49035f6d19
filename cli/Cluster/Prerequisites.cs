extern alias cni;

using System.Globalization;
using System.Text.Json.Nodes;
using cni::Mesh.Cni.Install;

namespace Mesh.Cli.Cluster;

/// <summary>The decisions of <c>meshctl check</c>, from what the API server or this node reports (pure, apart from reading a conf folder).</summary>
internal static class Prerequisites
{
    /// <summary>The oldest Kubernetes the chart's APIs need (Gateway API v1 supports 1.26 and later).</summary>
    public static readonly Version MinKubernetes = new(1, 26);

    /// <summary>The oldest kernel with every hook capture uses (TC sk_assign 5.7, cgroup getpeername 5.8; 5.10 is the LTS with all).</summary>
    public static readonly Version MinKernel = new(5, 10);

    public const string GatewayApiInstall =
        "install the Gateway API CRDs: kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.2.1/standard-install.yaml";

    /// <summary>The Gateway API CRDs the chart and the control plane use.</summary>
    public static readonly string[] GatewayApiCrds = ["gatewayclasses.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io", "httproutes.gateway.networking.k8s.io"];

    /// <summary>"v1.31.2", "v1.29.4-eks-1234" or "6.18.0-1-amd64" -> major.minor; null when it does not start so.</summary>
    public static Version? MajorMinor(string? text)
    {
        var parts = (text ?? "").TrimStart('v').Split('.', 3);
        return parts.Length >= 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(new string([.. parts[1].TakeWhile(char.IsAsciiDigit)]), NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            ? new Version(major, minor) : null;
    }

    public static CheckLine Kubernetes(string gitVersion) => MajorMinor(gitVersion) is not { } v
        ? CheckLine.Fail("kubernetes", $"the API server reports version '{gitVersion}', which is not major.minor")
        : v >= MinKubernetes
            ? CheckLine.Ok("kubernetes", $"{gitVersion} (at least {MinKubernetes})")
            : CheckLine.Fail("kubernetes", $"{gitVersion} is older than {MinKubernetes}; upgrade the cluster");

    public static CheckLine Node(string name, string? os, string? kernel, string? architecture)
    {
        var check = $"node {name}";
        if (os != "linux")
        {
            return CheckLine.Skip(check, $"{os ?? "unknown"} node: ztunnel runs only on Linux nodes (the DaemonSet selects kubernetes.io/os=linux)");
        }
        return MajorMinor(kernel) is { } v && v >= MinKernel
            ? CheckLine.Ok(check, $"kernel {kernel} {architecture} (at least {MinKernel}); on the node, `meshctl check` checks BTF, cgroup v2 and the program kinds")
            : CheckLine.Fail(check, $"kernel {kernel ?? "unknown"} is older than {MinKernel}: eBPF capture needs TC sk_assign and cgroup getpeername hooks; upgrade the node's kernel");
    }

    /// <summary>Whether a CRD object (apiextensions.k8s.io/v1) serves the version the mesh reads.</summary>
    public static CheckLine Crd(string name, JsonObject? crd, string version, string whatToDo) =>
        crd is null
            ? CheckLine.Fail($"crd {name}", $"not installed; {whatToDo}")
            : crd["spec"]?["versions"]?.AsArray().OfType<JsonObject>().Any(v => (string?)v["name"] == version && (bool?)v["served"] == true) == true
                ? CheckLine.Ok($"crd {name}", $"{version} served")
                : CheckLine.Fail($"crd {name}", $"installed but does not serve {version}; {whatToDo}");

    /// <summary>This machine's CNI configuration, when it is a node: present, and a conf list mesh-cni can be chained into.</summary>
    public static CheckLine Cni(string confDir)
    {
        const string check = "cni (this node)";
        if (!Directory.Exists(confDir))
        {
            return CheckLine.Skip(check, $"{confDir} does not exist here: this machine is not a node (run meshctl check --pre on a node, or pass --cni-conf-dir)");
        }
        var name = ConfListChain.SelectConfFile(Directory.EnumerateFiles(confDir).Select(f => Path.GetFileName(f)));
        if (name is null)
        {
            return CheckLine.Fail(check, $"no CNI configuration (*.conf, *.conflist, *.json) in {confDir}; install the cluster's network plugin first");
        }
        try
        {
            var text = File.ReadAllText(Path.Combine(confDir, name));
            var chained = ConfListChain.Chain(name, text, Mesh.Core.NodeAgent.NodeAgentWire.DefaultSocket);
            var plugins = JsonNode.Parse(text)?["plugins"] is JsonArray list
                ? string.Join(", ", list.Select(p => (string?)p?["type"]))
                : (string?)JsonNode.Parse(text)?["type"];
            return CheckLine.Ok(check, chained.Changed
                ? $"{Path.Combine(confDir, name)} ({plugins}): mesh-cni can be chained after it"
                : $"{Path.Combine(confDir, name)} ({plugins}): mesh-cni is chained");
        }
        catch (CniInstallException e)
        {
            return CheckLine.Fail(check, e.Message);
        }
        catch (IOException e)
        {
            return CheckLine.Fail(check, $"cannot read {Path.Combine(confDir, name)}: {e.Message}");
        }
    }
}
