using Mesh.Native.Net;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// What lets ztunnel dial an enrolled pod's app from the original client's address (the app sees the real peer,
/// as in Istio's in-pod mode), set up in the pod's network namespace at enrollment and removed at unenrollment:
/// <list type="bullet">
/// <item><c>net.ipv4.tcp_fwmark_accept=1</c>: a socket the app accepts inherits the mark of the SYN, i.e. of
/// ztunnel's transparent dialer (<see cref="RedirectionOptions.InboundMark"/>), and so do its replies;</item>
/// <item><c>ip rule add fwmark InboundMark lookup InboundRouteTable</c> and
/// <c>ip route add local 0.0.0.0/0 dev lo table InboundRouteTable</c>: those replies, addressed to the client,
/// are delivered locally to ztunnel's socket instead of leaving through eth0;</item>
/// <item><c>net.ipv4.fwmark_reflect=1</c>: replies the kernel sends without a socket (the RST for a closed app port)
/// carry the mark of the packet they answer, so they take the same rule back to ztunnel and its dial fails at once
/// (without it they carry no mark, leave by eth0 towards the spoofed client address, and the dial hangs).</item>
/// </list>
/// Everything else in the pod is untouched: unmarked sockets and ztunnel's own (outbound mark) route as before.
/// No eBPF and no iptables. Adds are idempotent (a restart after a crash finds them in place).
/// </summary>
internal sealed class PodInboundRoutes(RedirectionOptions options)
{
    public const string FwmarkAcceptSysctl = "net.ipv4.tcp_fwmark_accept";
    public const string FwmarkReflectSysctl = "net.ipv4.fwmark_reflect";
    private const int LoopbackIfindex = 1; // lo is interface 1 in every network namespace
    private const uint ExactMark = 0xffffffff;

    /// <summary>Sets up the rule, the route and the sysctls in the pod; throws <see cref="BpfException"/>.</summary>
    public void Add(PodCapture pod)
    {
        using var netlink = RouteNetlink.Open(pod.NetnsPath);
        netlink.AddLocalDefaultRoute(options.InboundRouteTable, LoopbackIfindex);
        netlink.AddFwmarkRule(options.InboundMark, ExactMark, options.InboundRouteTable, options.InboundRulePriority);
        NetNsSysctl.Write(pod.NetnsPath, FwmarkAcceptSysctl, "1");
        NetNsSysctl.Write(pod.NetnsPath, FwmarkReflectSysctl, "1");
    }

    /// <summary>
    /// Removes the rule and the route and sets the sysctls back to the kernel's default (0). True when a rule or
    /// route was there. Throws <see cref="BpfException"/>.
    /// </summary>
    public bool Remove(PodCapture pod)
    {
        using var netlink = RouteNetlink.Open(pod.NetnsPath);
        var removed = false;
        // A rule added by hand could be there twice; ours is added exclusively.
        for (var i = 0; i < 8 && netlink.DeleteFwmarkRule(options.InboundMark, ExactMark, options.InboundRouteTable, options.InboundRulePriority); i++)
        {
            removed = true;
        }
        removed |= netlink.DeleteLocalDefaultRoute(options.InboundRouteTable, LoopbackIfindex);
        NetNsSysctl.Write(pod.NetnsPath, FwmarkAcceptSysctl, "0");
        NetNsSysctl.Write(pod.NetnsPath, FwmarkReflectSysctl, "0");
        return removed;
    }
}
