using Mesh.Lab.Planning;

namespace Mesh.Lab.Runtime;

/// <summary>
/// Removes everything a lab made, also after a crash: processes (by PID from its cgroups' cgroup.procs), cgroups,
/// network namespaces (those whose lo carries the lab's alias, found from lab.json and by name prefix), the root route
/// reference and the state folder. Each step runs even when an earlier one failed; the first failure is reported.
/// </summary>
internal static class LabCleaner
{
    public static async Task CleanAsync(LabEnvironment env, string lab, CancellationToken ct)
    {
        var errors = new List<string>();
        var stateDir = Path.Combine(env.StateRoot, lab);
        var state = LabStateStore.TryRead(stateDir);
        var cgroupDir = state?.CgroupDir ?? Path.Combine(env.Cgroup2Root, "mesh-lab", lab);

        await Step(errors, () => Cgroups.KillAndRemoveAsync(cgroupDir, ct));
        // With every ztunnel of the lab gone, its pins are the only holders of the capture programs and links.
        await Step(errors, () => RemovePins(env, lab));

        // CNI DEL for every pod, as a runtime does at teardown (ptp's host-side veth and route, the IPAM lease). Failures
        // do not stop the cleanup: removing the pod's namespace below removes the veth pair anyway.
        if (state is not null)
        {
            var meshCni = state.MeshCni is { } m && File.Exists(m) ? m : null;
            await Parallel.ForEachAsync(state.Pods.Where(p => p.KubeUid.Length > 0), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
                async (p, c) =>
                {
                    var node = state.Nodes.FirstOrDefault(n => n.Name == p.Node);
                    if (node is not null && File.Exists(node.NetnsPath))
                    {
                        await CniChain.DelAsync(state, node, LabPods.Sandbox(p), meshCni, c);
                    }
                });
        }

        // A netns is removed only when the lab made it: lo carries the lab's alias, or lab.json lists it and it holds
        // nothing but lo (a crash between 'ip netns add' and marking it).
        var listed = new HashSet<string>(state?.AllNetns ?? [], StringComparer.Ordinal);
        var existing = await NetworkBuilder.ListNetnsAsync(ct);
        var netns = new List<string>();
        foreach (var name in existing.Where(n => listed.Contains(n) || n.StartsWith(LabNames.NetnsPrefix(lab), StringComparison.Ordinal)))
        {
            if (await NetworkBuilder.IsMarkedAsync(name, lab, ct) || (listed.Contains(name) && await NetworkBuilder.IsEmptyAsync(name, ct)))
            {
                netns.Add(name);
            }
        }
        foreach (var name in netns)
        {
            await Step(errors, async () =>
            {
                var r = await Shell.RunAsync("ip", ["netns", "del", name], ct: ct);
                if (!r.Ok && !r.Stderr.Contains("No such file", StringComparison.Ordinal))
                {
                    throw new LabException($"removing network namespace {name}: {r.Stderr.Trim()}");
                }
            });
        }

        await Step(errors, () => RootRoute.ReleaseAsync(env, stateDir, ct));
        await Step(errors, () =>
        {
            if (Directory.Exists(stateDir))
            {
                Directory.Delete(stateDir, recursive: true);
            }
            return Task.CompletedTask;
        });
        await Step(errors, async () =>
        {
            var parent = Path.Combine(env.Cgroup2Root, "mesh-lab");
            if (Directory.Exists(parent) && !Directory.EnumerateDirectories(parent).Any())
            {
                try
                {
                    await Cgroups.RemoveAsync(parent, ct);
                }
                catch (LabException)
                {
                    // Another lab is being created right now; it keeps the parent.
                }
            }
        });
        if (errors.Count > 0)
        {
            throw new LabException($"lab '{lab}' was not fully removed: {string.Join("; ", errors)}");
        }
    }

    /// <summary>Removes the bpffs folders of the lab's ztunnel instances (&lt;lab&gt;-&lt;node&gt;): their links detach, maps and programs go.</summary>
    private static Task RemovePins(LabEnvironment env, string lab)
    {
        if (!Directory.Exists(env.BpfPinRoot))
        {
            return Task.CompletedTask;
        }
        foreach (var dir in Directory.EnumerateDirectories(env.BpfPinRoot, LabNames.BpfInstancePrefix(lab) + "*"))
        {
            Directory.Delete(dir, recursive: true);
        }
        if (!Directory.EnumerateFileSystemEntries(env.BpfPinRoot).Any())
        {
            try
            {
                Directory.Delete(env.BpfPinRoot);
            }
            catch (IOException)
            {
                // a ztunnel elsewhere pinned meanwhile
            }
        }
        return Task.CompletedTask;
    }

    private static async Task Step(List<string> errors, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is LabException or IOException or UnauthorizedAccessException)
        {
            errors.Add(e.Message);
        }
    }
}
