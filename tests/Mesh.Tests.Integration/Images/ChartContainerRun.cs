using System.Globalization;
using System.Text.Json.Nodes;
using Mesh.Tests.Common.Charts;

namespace Mesh.Tests.Integration.Images;

/// <summary>
/// One container of a rendered chart workload as a kubelet asks a runtime for it, rendered as `docker run` or
/// `ctr run` arguments: the pod's hostPID and hostNetwork (without host networking: a network namespace of its own
/// with no interface, since the tests' runtimes have no bridge), the container's securityContext (user, read-only
/// root, capabilities, privilege escalation, seccomp), its env (fieldRefs from <see cref="FieldRefs"/>), its args with
/// $(VAR) expanded, and its volume mounts: hostPath volumes at their host path (unless <see cref="HostPaths"/> moves
/// one to a test folder), emptyDir as tmpfs, secrets and projected tokens from <see cref="Files"/>.
/// </summary>
public sealed class ChartContainerRun(JsonObject workload, string container)
{
    /// <summary>The capabilities containerd grants a container by default (its OCI defaults, as Docker's).</summary>
    private static readonly string[] ContainerdDefaultCapabilities =
        ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"];

    private sealed record Mount(string Source, string Target, bool ReadOnly, string? Propagation, bool Tmpfs);

    /// <summary>Values of env fieldRefs by field path (e.g. spec.nodeName).</summary>
    public Dictionary<string, string> FieldRefs { get; } = new(StringComparer.Ordinal);

    /// <summary>Host paths to use instead of the chart's (the tests never write the machine's /var/run or /etc/cni).</summary>
    public Dictionary<string, string> HostPaths { get; } = new(StringComparer.Ordinal);

    /// <summary>Folders standing in for secret, configMap and projected volumes, by volume name.</summary>
    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>ctr only: a network namespace to join by path (a lab node's), as a runtime joins a pod sandbox's.</summary>
    public string? NetworkNamespace { get; set; }

    /// <summary>
    /// docker only: share the host's network namespace although the pod has a network of its own in Kubernetes. The
    /// tests' Docker has no bridge, so this is how a test reaches a server in the container: it must listen on loopback.
    /// </summary>
    public bool HostLoopback { get; set; }

    /// <summary>Host folders bound at the same path in addition to the chart's volumes (a lab's state folder).</summary>
    public List<string> ExtraBinds { get; } = [];

    private JsonObject Pod => RenderedChart.PodSpec(workload);

    private JsonObject Spec => RenderedChart.Container(workload, container);

    private JsonObject? Security => Spec["securityContext"]?.AsObject();

    private bool HostPid => Pod["hostPID"]?.GetValue<bool>() == true;

    private bool HostNetwork => Pod["hostNetwork"]?.GetValue<bool>() == true;

    private bool Flag(string name) => Security?[name]?.GetValue<bool>() == true;

    private List<string> Capabilities(string which) => RenderedChart.Strings(Security?["capabilities"]?[which]);

    /// <summary>`docker run` arguments; <paramref name="args"/>, when given, stand in for the chart's container args.</summary>
    public List<string> DockerArguments(string image, string name, IEnumerable<string>? args = null)
    {
        var run = new List<string> { "run", "--name", name, "--pull", "never", "--network", HostNetwork || HostLoopback ? "host" : "none" };
        if (HostPid)
        {
            run.AddRange(["--pid", "host"]);
        }
        if (Flag("privileged"))
        {
            run.Add("--privileged");
        }
        // The container's user, else the pod's (securityContext at pod level), else the image's USER.
        var podSecurity = Pod["securityContext"];
        if ((Security?["runAsUser"] ?? podSecurity?["runAsUser"]) is { } user)
        {
            run.AddRange(["--user", $"{user}:{(Security?["runAsGroup"] ?? podSecurity?["runAsGroup"])?.ToString() ?? user.ToString()}"]);
        }
        if (Flag("readOnlyRootFilesystem"))
        {
            run.Add("--read-only");
        }
        if (Security?["allowPrivilegeEscalation"]?.GetValue<bool>() == false)
        {
            run.AddRange(["--security-opt", "no-new-privileges"]);
        }
        run.AddRange(Capabilities("drop").SelectMany(c => new[] { "--cap-drop", c }));
        run.AddRange(Capabilities("add").SelectMany(c => new[] { "--cap-add", c }));
        var env = Env();
        run.AddRange(env.SelectMany(e => new[] { "--env", $"{e.Key}={e.Value}" }));
        foreach (var m in Mounts())
        {
            run.AddRange(m.Tmpfs ? ["--tmpfs", m.Target]
                : ["--mount", $"type=bind,source={m.Source},target={m.Target}{(m.ReadOnly ? ",readonly" : "")}{(m.Propagation is { } p ? ",bind-propagation=" + p : "")}"]);
        }
        // The container's command replaces the image's ENTRYPOINT, as Kubernetes does.
        var command = RenderedChart.Strings(Spec["command"]);
        if (command.Count > 0)
        {
            run.AddRange(["--entrypoint", command[0]]);
        }
        run.Add(image);
        run.AddRange(command.Skip(1));
        run.AddRange(args ?? Args(env));
        return run;
    }

    /// <summary>
    /// `ctr run` arguments (containerd, the runtime of Kubernetes nodes and kind): the process runs as the image's USER
    /// (ctr has no user flag; the tests check it equals the chart's runAsUser). Logs go to <paramref name="log"/>.
    /// </summary>
    public List<string> CtrArguments(string image, string id, string log, string entrypoint, IEnumerable<string>? args = null)
    {
        var run = new List<string> { "run", "--detach", "--log-uri", "file://" + log };
        if (HostPid)
        {
            // The host's PID namespace: this process's (PID 1 may belong to an outer sandbox).
            run.AddRange(["--with-ns", $"pid:/proc/{Environment.ProcessId}/ns/pid"]);
        }
        if (HostNetwork)
        {
            run.Add("--net-host");
        }
        else if (NetworkNamespace is not null)
        {
            run.AddRange(["--with-ns", $"network:{NetworkNamespace}"]);
        }
        if (Flag("privileged"))
        {
            run.Add("--privileged");
        }
        if (Flag("readOnlyRootFilesystem"))
        {
            run.Add("--read-only");
        }
        if (Security?["allowPrivilegeEscalation"]?.GetValue<bool>() != false)
        {
            run.Add("--allow-new-privs");
        }
        if (Security?["seccompProfile"]?["type"]?.ToString() == "RuntimeDefault")
        {
            run.Add("--seccomp");
        }
        // ctr takes no "ALL": drop [ALL] is each of containerd's default set, so the chart's add list is the whole set.
        var drop = Capabilities("drop");
        run.AddRange((drop.Contains("ALL") ? [.. ContainerdDefaultCapabilities] : drop).SelectMany(c => new[] { "--cap-drop", "CAP_" + c }));
        run.AddRange(Capabilities("add").SelectMany(c => new[] { "--cap-add", "CAP_" + c }));
        var env = Env();
        run.AddRange(env.SelectMany(e => new[] { "--env", $"{e.Key}={e.Value}" }));
        foreach (var m in Mounts())
        {
            var options = m.Tmpfs ? "nosuid:nodev:mode=1777" : $"rbind:{(m.ReadOnly ? "ro" : "rw")}{(m.Propagation is { } p ? ":" + p : "")}";
            run.AddRange(["--mount", $"type={(m.Tmpfs ? "tmpfs" : "bind")},src={(m.Tmpfs ? "tmpfs" : m.Source)},dst={m.Target},options={options}"]);
        }
        run.AddRange([image, id, entrypoint]); // ctr's command replaces the image's ENTRYPOINT and CMD
        run.AddRange(args ?? Args(env));
        return run;
    }

    private Dictionary<string, string> Env()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in Spec["env"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            env[e["name"]!.ToString()] = e["value"]?.ToString()
                ?? (e["valueFrom"]?["fieldRef"]?["fieldPath"]?.ToString() is { } field
                    ? FieldRefs.GetValueOrDefault(field) ?? throw new InvalidOperationException($"give FieldRefs[\"{field}\"] for env {e["name"]}")
                    : throw new InvalidOperationException($"env {e["name"]} has neither a value nor a fieldRef"));
        }
        return env;
    }

    private List<Mount> Mounts()
    {
        var volumes = Pod["volumes"]?.AsArray().OfType<JsonObject>().ToDictionary(v => v["name"]!.ToString()) ?? [];
        var mounts = new List<Mount>();
        foreach (var mount in Spec["volumeMounts"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var volume = volumes[mount["name"]!.ToString()];
            var target = mount["mountPath"]!.ToString();
            var propagation = mount["mountPropagation"]?.ToString() switch
            {
                "HostToContainer" => "rslave",
                "Bidirectional" => "rshared",
                _ => null,
            };
            var source = volume["emptyDir"] is not null ? ""
                : volume["hostPath"]?["path"]?.ToString() is { } host ? HostPaths.GetValueOrDefault(host, host)
                : Files.GetValueOrDefault(volume["name"]!.ToString())
                    ?? throw new InvalidOperationException($"give Files[\"{volume["name"]}\"] for the volume mounted at {target}");
            mounts.Add(new Mount(source, target, mount["readOnly"]?.GetValue<bool>() == true, propagation, volume["emptyDir"] is not null));
        }
        mounts.AddRange(ExtraBinds.Select(b => new Mount(b, b, ReadOnly: false, Propagation: null, Tmpfs: false)));
        return mounts;
    }

    private IEnumerable<string> Args(Dictionary<string, string> env) => RenderedChart.Strings(Spec["args"]).Select(arg =>
    {
        foreach (var (k, v) in env)
        {
            arg = arg.Replace($"$({k})", v, StringComparison.Ordinal);
        }
        return arg.Contains("$(", StringComparison.Ordinal) ? throw new InvalidOperationException($"arg '{arg}' names an env the container does not set") : arg;
    });

    public static string Id(string prefix) => $"{prefix}-{Random.Shared.Next(100000, 999999).ToString(CultureInfo.InvariantCulture)}";
}
