namespace Mesh.Lab.Planning;

/// <summary>What the CNI chain is told about one pod sandbox (from a plan, or from lab.json at teardown).</summary>
public sealed record CniSandbox(string Namespace, string Name, string KubeUid, string ContainerId, string NetnsPath, string Ip)
{
    public const string IfName = "eth0";
}
