using System.Runtime.InteropServices;
using Mesh.Native.Net;
using Tmds.Linux;

namespace Mesh.Native.Bpf;

/// <summary>
/// A program attached somewhere: to a cgroup (a cgroup link), to an interface's TC ingress (a TCX link, or a
/// clsact filter where TCX is missing). Disposing it releases this process's hold only: a pinned link (see
/// <see cref="Pin"/>) and a clsact filter stay attached; <see cref="Detach"/> ends the attachment for everyone.
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

    /// <summary>For TC links, the interface index inside the pod's namespace (0 for an adopted TCX link).</summary>
    public int Ifindex { get; private set; }

    /// <summary>Where it is pinned, or null.</summary>
    public string? PinPath { get; private set; }

    public override bool IsInvalid => handle == -1;

    private int Fd => Kind == BpfLinkKind.ClsactFilter ? throw new InvalidOperationException("a clsact filter has no link fd") : (int)handle;

    /// <summary>Attaches <paramref name="program"/> to the cgroup v2 directory <paramref name="cgroupPath"/> (bpf_link_create).</summary>
    public static BpfLink AttachCgroup(BpfProgram program, string cgroupPath)
    {
        var cgroupFd = Interop.Libc.Open(cgroupPath, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (cgroupFd < 0)
        {
            throw new BpfException($"open({cgroupPath})", LibC.errno, "the pod's cgroup v2 directory is missing");
        }
        try
        {
            var fd = Interop.Libbpf.LinkCreate(program.Fd, cgroupFd, program.ExpectedAttachType, 0);
            if (fd < 0)
            {
                throw new BpfException($"bpf_link_create({program.Name}, {cgroupPath})", fd);
            }
            var link = new BpfLink { Kind = BpfLinkKind.Cgroup };
            link.SetHandle(fd);
            return link;
        }
        finally
        {
            _ = LibC.close(cgroupFd);
        }
    }

    /// <summary>
    /// Attaches a TC program to the ingress of <paramref name="ifname"/> inside the network namespace
    /// <paramref name="netnsPath"/>: a TCX link when the kernel has TCX (and the mode allows), else a
    /// clsact filter with <see cref="TcFilterHandle"/>/<see cref="TcFilterPriority"/> (replacing ours if one is there).
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

    /// <summary>Opens a link pinned at <paramref name="path"/> (a cgroup or TCX link) without changing it.</summary>
    public static BpfLink OpenPinned(string path, BpfLinkKind kind)
    {
        if (kind == BpfLinkKind.ClsactFilter)
        {
            throw new ArgumentException("a clsact filter is never pinned", nameof(kind));
        }
        var link = new BpfLink { Kind = kind, PinPath = path };
        link.SetHandle(BpfFs.Open(path));
        return link;
    }

    /// <summary>
    /// Removes a clsact filter a crashed earlier process left on <paramref name="ifname"/> in
    /// <paramref name="netnsPath"/>; false when there was none.
    /// </summary>
    public static bool RemoveStaleTcFilter(string netnsPath, string ifname) =>
        NetNs.DetachClsact(netnsPath, ifname, TcFilterHandle, TcFilterPriority);

    /// <summary>Pins the link at <paramref name="path"/>: it stays attached after this process ends.</summary>
    public void Pin(string path)
    {
        BpfFs.Pin(Fd, path);
        PinPath = path;
    }

    /// <summary>Swaps the link's program for <paramref name="program"/> in one step (bpf_link_update): no moment without one.</summary>
    public void Update(BpfProgram program)
    {
        var err = Interop.Libbpf.LinkUpdate(Fd, program.Fd, 0);
        if (err < 0)
        {
            throw new BpfException($"bpf_link_update({PinPath ?? Kind.ToString()}, {program.Name})", err);
        }
    }

    /// <summary>Ends the attachment for every holder and removes its pin; the handle stays to be disposed.</summary>
    public void Detach()
    {
        if (Kind == BpfLinkKind.ClsactFilter)
        {
            try
            {
                // The pod may be gone with its interface: then there is nothing left to remove.
                NetNs.DetachClsact(_netnsPath!, _ifname!, TcFilterHandle, TcFilterPriority);
            }
            catch (BpfException)
            {
            }
            return;
        }
        var err = Interop.Libbpf.LinkDetach(Fd);
        if (PinPath is not null)
        {
            BpfFs.Unpin(PinPath);
        }
        if (err < 0 && err != -Errno.ENOENT && err != -Errno.EINVAL)
        {
            throw new BpfException($"bpf_link_detach({PinPath ?? Kind.ToString()})", err);
        }
    }

    protected override bool ReleaseHandle() =>
        Kind == BpfLinkKind.ClsactFilter || LibC.close((int)handle) == 0;
}
