using Mesh.Native.Bpf;

namespace Mesh.Ztunnel.Redirection;

/// <summary>Settings of eBPF capture.</summary>
public sealed record RedirectionOptions
{
    /// <summary>SO_MARK on every socket ztunnel opens in a pod; capture skips marked sockets (Istio uses 0x539 too).</summary>
    public uint ZtunnelMark { get; init; } = 0x539;

    /// <summary>
    /// SO_MARK on ztunnel's transparent dials to the app (bound to the original client address), different from
    /// <see cref="ZtunnelMark"/> so ztunnel's outbound sockets in the pod still route out of eth0. In the pod:
    /// the app's accepted sockets inherit it (net.ipv4.tcp_fwmark_accept=1) and a rule sends it to
    /// <see cref="InboundRouteTable"/>, whose only route is local, so replies come back to ztunnel.
    /// </summary>
    public uint InboundMark { get; init; } = 0x111;

    /// <summary>The pod's routing table holding "local 0.0.0.0/0 dev lo" (Istio's in-pod mode uses 100 too).</summary>
    public uint InboundRouteTable { get; init; } = 100;

    /// <summary>Priority of the "fwmark InboundMark lookup InboundRouteTable" rule (before main, 32766).</summary>
    public uint InboundRulePriority { get; init; } = 32764;

    /// <summary>The app sees the real client address (false: ztunnel dials from the pod's own address).</summary>
    public bool PreserveSourceAddress { get; init; } = true;

    /// <summary>Folder with capture_connect.bpf.o and capture_tc.bpf.o (default: bpf/ next to ztunnel.dll).</summary>
    public string BpfDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "bpf");

    /// <summary>The pod's interface that gets the TC ingress program.</summary>
    public string PodInterface { get; init; } = "eth0";

    public TcAttachMode TcMode { get; init; } = TcAttachMode.Auto;

    /// <summary>
    /// This ztunnel's name on the node: its pins live in &lt;bpffs&gt;/mesh/&lt;Instance&gt;/ (<see cref="CapturePins"/>). Two
    /// ztunnels with the same instance share (and take over) one capture; the lab gives each node its own.
    /// </summary>
    public string Instance { get; init; } = "ztunnel";

    /// <summary>Where bpffs is (mounted there at start when it is not).</summary>
    public string BpfFsRoot { get; init; } = BpfFs.DefaultRoot;
}
