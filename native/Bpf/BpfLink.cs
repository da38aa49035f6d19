using System.Runtime.InteropServices;

namespace Mesh.Native;

/// <summary>
/// A program attached somewhere: to a cgroup (libbpf link), to an interface's TC ingress (TCX
/// link, or a clsact filter where TCX is missing). Disposing it detaches the program.
/// </summary>
public sealed class BpfLink : SafeHandle
{
    /// <summary>The handle and priority of our clsact filters, so a later start can find and remove them.</summary>
    public const uint TcFilterHandle = 0x4d53; // "MS"
    public const uint TcFilterPriority = 0x4d53;

    private string? _netnsPath;
    private string? _ifname;

    public BpfLink() : base(-1, ownsHandle: true)
    {
    }

    public BpfLinkKind Kind { get; private set; }

    /// <summary>For TC links, the interface index inside the pod's namespace.</summary>
    public int Ifindex { get; private set; }

    public override bool IsInvalid => handle == -1;

    /// <summary>Attaches <paramref name="program"/> to the cgroup v2 directory <paramref name="cgroupPath"/>.</summary>
    public static BpfLink AttachCgroup(BpfProgram program, string cgroupPath)
    {
        var cgroupFd = Interop.Libc.Open(cgroupPath, Interop.Libc.ORdOnly | Interop.Libc.ODirectory | Interop.Libc.OCloExec);
        if (cgroupFd < 0)
        {
            throw new BpfException($"open({cgroupPath})", Marshal.GetLastPInvokeError(), "the pod's cgroup v2 directory is missing");
        }
        try
        {
            var ptr = Interop.Libbpf.ProgramAttachCgroup(program.Pointer, cgroupFd);
            if (ptr == 0)
            {
                throw new BpfException($"bpf_program__attach_cgroup({program.Name}, {cgroupPath})", Marshal.GetLastPInvokeError());
            }
            var link = new BpfLink { Kind = BpfLinkKind.Libbpf };
            link.SetHandle(ptr);
            return link;
        }
        finally
        {
            _ = Interop.Libc.Close(cgroupFd);
        }
    }

    /// <summary>
    /// Attaches a TC program to the ingress of <paramref name="ifname"/> inside the network namespace
    /// <paramref name="netnsPath"/>: a TCX link when the kernel has TCX (and the mode allows), else a
    /// clsact filter with <see cref="TcFilterHandle"/>/<see cref="TcFilterPriority"/>.
    /// </summary>
    public static BpfLink AttachTcIngress(BpfProgram program, string netnsPath, string ifname, TcAttachMode mode)
    {
        var progFd = program.Fd;
        if (mode != TcAttachMode.Clsact)
        {
            try
            {
                var fd = NetNs.AttachTcx(netnsPath, ifname, progFd, out var ifindex);
                var link = new BpfLink { Kind = BpfLinkKind.Tcx, Ifindex = ifindex };
                link.SetHandle(fd);
                return link;
            }
            catch (BpfException e) when (mode == TcAttachMode.Auto && e.Errno is Errno.EINVAL or Errno.EOPNOTSUPP or 524)
            {
                // no TCX in this kernel: fall back to clsact
            }
        }
        NetNs.AttachClsact(netnsPath, ifname, progFd, TcFilterHandle, TcFilterPriority, out var index);
        var filter = new BpfLink { Kind = BpfLinkKind.ClsactFilter, Ifindex = index, _netnsPath = netnsPath, _ifname = ifname };
        filter.SetHandle(index);
        return filter;
    }

    /// <summary>
    /// Removes a clsact filter a crashed earlier process left on <paramref name="ifname"/> in
    /// <paramref name="netnsPath"/>; false when there was none.
    /// </summary>
    public static bool RemoveStaleTcFilter(string netnsPath, string ifname) =>
        NetNs.DetachClsact(netnsPath, ifname, TcFilterHandle, TcFilterPriority);

    protected override bool ReleaseHandle()
    {
        switch (Kind)
        {
            case BpfLinkKind.Libbpf:
                return Interop.Libbpf.LinkDestroy(handle) == 0;
            case BpfLinkKind.Tcx:
                return Interop.Libc.Close((int)handle) == 0;
            default:
                try
                {
                    // The pod may be gone with its interface: then there is nothing left to remove.
                    NetNs.DetachClsact(_netnsPath!, _ifname!, TcFilterHandle, TcFilterPriority);
                }
                catch (BpfException)
                {
                }
                return true;
        }
    }
}
