namespace Mesh.Lab.Planning;

/// <summary>Where a lab keeps its state and cgroups on this machine. Tests pass their own roots to plan without root.</summary>
public sealed record LabEnvironment(string StateRoot, string Cgroup2Root)
{
    public const string DefaultStateRoot = "/run/mesh-lab";

    /// <summary>Where ztunnels pin their capture: one folder per instance, the lab's named &lt;lab&gt;-&lt;node&gt;.</summary>
    public string BpfPinRoot { get; init; } = "/sys/fs/bpf/mesh";

    /// <summary>This machine: /run/mesh-lab and the cgroup2 mount found in /proc/mounts.</summary>
    public static LabEnvironment Detect()
    {
        string mounts;
        try
        {
            mounts = File.ReadAllText("/proc/mounts");
        }
        catch (IOException e)
        {
            throw new LabException($"cannot read /proc/mounts ({e.Message}); the lab needs Linux with cgroup v2", e);
        }
        var root = Cgroup2Mount.Find(mounts)
            ?? throw new LabException("no cgroup2 file system is mounted; mount one (mount -t cgroup2 none /sys/fs/cgroup/unified) and try again");
        return new LabEnvironment(DefaultStateRoot, root);
    }
}
