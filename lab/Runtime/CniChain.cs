using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Lab.Model;
using Mesh.Lab.Planning;

namespace Mesh.Lab.Runtime;

/// <summary>
/// Runs a node's CNI chain for one pod the way a container runtime does, inside the node's network namespace (the
/// lab's stand-in for the node's host namespace): ADD runs ptp (host-local IPAM), then mesh-cni with ptp's result as
/// prevResult when the mesh is installed; a failing plugin undoes the ones before it (DEL) and fails the pod's start
/// with the plugin's CNI error. DEL runs the chain in reverse and never stops at a failure.
/// </summary>
internal static class CniChain
{
    private static readonly TimeSpan PluginTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs ADD; returns the pod's address from the chain's result.</summary>
    public static async Task<string> AddAsync(LabState lab, NodeState node, CniSandbox pod, string? meshCni, CancellationToken ct)
    {
        var ptp = LabCni.Ptp(lab.Name, node.Index, lab.StateDir);
        var result = await RunAsync("ADD", node, pod, Path.Combine(LabCni.PluginDir, "ptp"), ptp, withIp: true, ct);
        if (!result.Ok)
        {
            await RunAsync("DEL", node, pod, Path.Combine(LabCni.PluginDir, "ptp"), ptp, withIp: false, CancellationToken.None);
            throw new LabException($"pod {pod.Namespace}/{pod.Name}: CNI ADD failed in ptp: {Describe(result)}");
        }
        var prev = JsonNode.Parse(result.Stdout)!;
        if (meshCni is not null)
        {
            var mesh = await RunAsync("ADD", node, pod, meshCni, LabCni.MeshCni(lab.Name, node.CniSocket, prev), withIp: false, ct);
            if (!mesh.Ok)
            {
                await RunAsync("DEL", node, pod, meshCni, LabCni.MeshCni(lab.Name, node.CniSocket, prev), withIp: false, CancellationToken.None);
                await RunAsync("DEL", node, pod, Path.Combine(LabCni.PluginDir, "ptp"), ptp, withIp: false, CancellationToken.None);
                throw new LabException($"pod {pod.Namespace}/{pod.Name}: CNI ADD failed in mesh-cni: {Describe(mesh)}");
            }
            prev = JsonNode.Parse(mesh.Stdout)!;
        }
        var address = prev["ips"]?[0]?["address"]?.GetValue<string>()
            ?? throw new LabException($"pod {pod.Namespace}/{pod.Name}: the CNI result has no address: {prev.ToJsonString()}");
        return address[..address.IndexOf('/', StringComparison.Ordinal)];
    }

    /// <summary>Runs DEL through the chain in reverse; returns the failures (DEL of a pod that is gone succeeds).</summary>
    public static async Task<List<string>> DelAsync(LabState lab, NodeState node, CniSandbox pod, string? meshCni, CancellationToken ct)
    {
        var errors = new List<string>();
        if (meshCni is not null)
        {
            var mesh = await RunAsync("DEL", node, pod, meshCni, LabCni.MeshCni(lab.Name, node.CniSocket, null), withIp: false, ct);
            if (!mesh.Ok)
            {
                errors.Add($"pod {pod.Namespace}/{pod.Name}: CNI DEL in mesh-cni: {Describe(mesh)}");
            }
        }
        var ptp = await RunAsync("DEL", node, pod, Path.Combine(LabCni.PluginDir, "ptp"), LabCni.Ptp(lab.Name, node.Index, lab.StateDir), withIp: false, ct);
        if (!ptp.Ok)
        {
            errors.Add($"pod {pod.Namespace}/{pod.Name}: CNI DEL in ptp: {Describe(ptp)}");
        }
        return errors;
    }

    private static Task<CommandResult> RunAsync(
        string command, NodeState node, CniSandbox pod, string plugin, JsonObject config, bool withIp, CancellationToken ct) =>
        Shell.RunAsync("ip", ["netns", "exec", node.Netns, plugin], config.ToJsonString(), PluginTimeout,
            LabCni.Env(command, pod, withIp), ct);

    /// <summary>The plugin's CNI error ("msg (code N)") or its stderr.</summary>
    private static string Describe(CommandResult r)
    {
        try
        {
            var e = JsonNode.Parse(r.Stdout);
            if (e?["msg"] is { } msg)
            {
                return $"{msg.GetValue<string>()} (CNI error {e["code"]})";
            }
        }
        catch (JsonException)
        {
        }
        return $"exit {r.ExitCode}: {(r.Stdout + r.Stderr).Trim()}";
    }
}
