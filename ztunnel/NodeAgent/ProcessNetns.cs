using System.Net;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>One process seen by the scan: its cgroup (from /proc/&lt;pid&gt;/cgroup), its netns inode and that netns's local addresses.</summary>
public sealed record ProcessNetns(int Pid, string Cgroup, ulong NetnsInode, IReadOnlySet<IPAddress> Addresses);
