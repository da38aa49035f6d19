using Mesh.Native;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Settings of eBPF capture.</summary>
public sealed record RedirectionOptions
{
    /// <summary>SO_MARK on every socket ztunnel opens in a pod; capture skips marked sockets (Istio uses 0x539 too).</summary>
    public uint ZtunnelMark { get; init; } = 0x539;

    /// <summary>Folder with capture_connect.bpf.o and capture_tc.bpf.o (default: bpf/ next to ztunnel.dll).</summary>
    public string BpfDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "bpf");

    /// <summary>The pod's interface that gets the TC ingress program.</summary>
    public string PodInterface { get; init; } = "eth0";

    public TcAttachMode TcMode { get; init; } = TcAttachMode.Auto;
}
