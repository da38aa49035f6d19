using System.Net;

namespace Mesh.Tests.Integration.Capture;

/// <summary>
/// A small throwaway network for capture tests: a "node" namespace with a bridge and N pod
/// namespaces (eth0 on the bridge, 198.18.250.0/24, lo up), each with its own cgroup v2 directory.
/// Names carry a random suffix so parallel runs do not collide. Dispose removes all of it.
/// </summary>
internal sealed class CaptureTestNetwork : IDisposable
{
    private readonly string _id = $"{Random.Shared.Next(0x1000, 0xffff):x4}";
    private readonly List<CaptureTestPod> _pods = [];

    public CaptureTestNetwork(params string[] podNames)
    {
        try
        {
            var node = NodeNetns;
            Shell.Run($"ip netns add {node}");
            Shell.Run($"ip -n {node} link set lo up");
            Shell.Run($"ip -n {node} link add br0 type bridge && ip -n {node} link set br0 up");
            var octet = 2;
            foreach (var name in podNames)
            {
                var ns = $"ebpf{_id}{name}";
                var hostSide = $"ve{_id}{name}";
                var ip = IPAddress.Parse($"198.18.250.{octet++}");
                var cgroup = Path.Combine(CgroupRoot(), $"mesh-ebpf-{_id}-{name}");
                Shell.Run($"ip netns add {ns}");
                Shell.Run($"ip -n {ns} link set lo up");
                Shell.Run($"ip link add {hostSide} netns {node} type veth peer name eth0 netns {ns}");
                Shell.Run($"ip -n {node} link set {hostSide} master br0 up");
                Shell.Run($"ip -n {ns} addr add {ip}/24 dev eth0 && ip -n {ns} link set eth0 up");
                Directory.CreateDirectory(cgroup);
                _pods.Add(new CaptureTestPod($"capture/{name}", ns, ip, cgroup));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string NodeNetns => $"ebpf{_id}node";

    public CaptureTestPod this[string name] => _pods.Single(p => p.Uid == $"capture/{name}");

    public IReadOnlyList<CaptureTestPod> Pods => _pods;

    /// <summary>The cgroup v2 mount (the unified hierarchy; /sys/fs/cgroup/unified on hybrid systems).</summary>
    public static string CgroupRoot()
    {
        foreach (var line in File.ReadLines("/proc/mounts"))
        {
            var parts = line.Split(' ');
            if (parts.Length > 2 && parts[2] == "cgroup2")
            {
                return parts[1];
            }
        }
        throw new InvalidOperationException("no cgroup2 mount");
    }

    public void Dispose()
    {
        foreach (var pod in _pods)
        {
            Shell.Run($"ip netns pids {pod.NetnsName} | xargs -r kill -9", check: false);
        }
        foreach (var pod in _pods)
        {
            Shell.Run($"ip netns del {pod.NetnsName}", check: false);
            for (var i = 0; i < 50 && Directory.Exists(pod.CgroupPath); i++)
            {
                try
                {
                    Directory.Delete(pod.CgroupPath);
                }
                catch (IOException)
                {
                    Thread.Sleep(100); // processes still leaving the cgroup
                }
            }
        }
        Shell.Run($"ip netns del {NodeNetns}", check: false);
    }
}
