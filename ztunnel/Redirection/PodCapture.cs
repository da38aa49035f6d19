using System.Net;

namespace Mesh.Ztunnel.Redirection;

/// <summary>A pod to capture: what the CNI (or the lab) reports about it.</summary>
/// <param name="Uid">"namespace/name".</param>
/// <param name="Ip">The pod's IPv4 address.</param>
/// <param name="NetnsPath">Its network namespace (/proc/PID/ns/net or /run/netns/NAME).</param>
/// <param name="CgroupPath">Its cgroup v2 directory.</param>
public sealed record PodCapture(string Uid, IPAddress Ip, string NetnsPath, string CgroupPath);
