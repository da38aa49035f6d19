using System.Net;

namespace Mesh.Ztunnel.Cni;

/// <summary>A pod running on this node, as the CNI (or the lab, which plays the CNI) reports it.</summary>
public sealed record NodePod(string Uid, IPAddress Ip, string NetnsPath, string CgroupPath);
