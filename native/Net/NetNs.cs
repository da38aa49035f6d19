using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Mesh.Native.Net;

/// <summary>
/// Work inside another network namespace, the safe way for .NET: on the namespace's dedicated thread
/// (<see cref="NetNsThread"/>, long-lived, one per namespace), setns(pod), a few raw syscalls through function
/// pointers, setns(back), then the caller is woken. Nothing there allocates, logs, awaits or calls managed code
/// that could start a thread (a thread started inside inherits the pod's namespace). Sockets made there are
/// wrapped in <see cref="Socket"/> only after the thread is home; a socket keeps its namespace for life.
/// </summary>
public static unsafe class NetNs
{
    private const int AfInet = 2;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private const int SoMark = 36;
    private const int SolIp = 0;
    private const int IpTransparent = 19;
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const uint BpfTcxIngress = 46;
    private const int CloneNewNet = 0x40000000; // a const, not LibC.CLONE_NEWNET: no managed call inside the pod


    /// <summary>Creates a TCP/IPv4 socket that lives in <paramref name="netnsPath"/>.</summary>
    public static Socket CreateTcpSocket(string netnsPath, NetNsSocketOptions options)
    {
        var work = new NetNsWork
        {
            Op = NetNsOp.CreateSocket,
            Family = AfInet,
            Type = SockStream,
            Mark = options.Mark,
            Transparent = options.Transparent ? 1 : 0,
            ReuseAddress = options.ReuseAddress ? 1 : 0,
        };
        Run(netnsPath, ref work, "socket");
        return new Socket(new SafeSocketHandle(work.Result, ownsHandle: true));
    }

    /// <summary>A netlink socket of <paramref name="protocol"/> that speaks for <paramref name="netnsPath"/> (caller owns the fd).</summary>
    internal static int CreateNetlinkSocket(string netnsPath, int protocol)
    {
        var work = new NetNsWork { Op = NetNsOp.CreateSocket, Family = AfNetlink, Type = SockRaw, Protocol = protocol };
        Run(netnsPath, ref work, $"socket(AF_NETLINK, {protocol})");
        return work.Result;
    }

    /// <summary>
    /// Opens <paramref name="path"/> from inside the namespace (for /proc/sys/net/*: the file belongs to the
    /// namespace of the thread that opened it, and reads/writes on the handle work from any thread).
    /// </summary>
    internal static SafeFileHandle OpenFile(string netnsPath, string path, bool write)
    {
        var work = new NetNsWork { Op = NetNsOp.OpenFile, OpenFlags = (write ? LibC.O_WRONLY : LibC.O_RDONLY) | LibC.O_CLOEXEC };
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= NetNsWork.PathSize)
        {
            throw new ArgumentException($"path '{path}' is too long", nameof(path));
        }
        bytes.CopyTo(new Span<byte>(work.Path, NetNsWork.PathSize));
        Run(netnsPath, ref work, $"open({path})");
        return new SafeFileHandle(work.Result, ownsHandle: true);
    }

    /// <summary>The index of interface <paramref name="ifname"/> inside <paramref name="netnsPath"/>.</summary>
    public static int InterfaceIndex(string netnsPath, string ifname)
    {
        var work = new NetNsWork { Op = NetNsOp.InterfaceIndex };
        SetIfName(ref work, ifname);
        Run(netnsPath, ref work, $"if_nametoindex({ifname})");
        return work.Ifindex;
    }

    /// <summary>The network namespace of the calling thread, as "net:[inode]".</summary>
    public static string CurrentThreadNamespace() =>
        new FileInfo($"/proc/thread-self/ns/net").LinkTarget ?? string.Empty;

    /// <summary>bpf_link_create(prog, ifindex, BPF_TCX_INGRESS) inside the namespace; returns the link fd.</summary>
    internal static int AttachTcx(string netnsPath, string ifname, int progFd, out int ifindex)
    {
        var work = new NetNsWork { Op = NetNsOp.AttachTcx, ProgFd = progFd };
        SetIfName(ref work, ifname);
        Run(netnsPath, ref work, $"bpf_link_create(BPF_TCX_INGRESS, {ifname})");
        ifindex = work.Ifindex;
        return work.Result;
    }

    /// <summary>clsact qdisc (kept if present) + ingress filter with our handle and priority.</summary>
    internal static void AttachClsact(string netnsPath, string ifname, int progFd, uint handle, uint priority, out int ifindex)
    {
        var work = new NetNsWork { Op = NetNsOp.AttachClsact, ProgFd = progFd, Handle = handle, Priority = priority };
        SetIfName(ref work, ifname);
        Run(netnsPath, ref work, $"bpf_tc_attach(ingress, {ifname})");
        ifindex = work.Ifindex;
    }

    /// <summary>Removes our ingress filter; false when there was none (or no such interface).</summary>
    internal static bool DetachClsact(string netnsPath, string ifname, uint handle, uint priority)
    {
        var work = new NetNsWork { Op = NetNsOp.DetachClsact, Handle = handle, Priority = priority };
        SetIfName(ref work, ifname);
        try
        {
            Run(netnsPath, ref work, $"bpf_tc_detach(ingress, {ifname})");
            return true;
        }
        catch (BpfException e) when (e.Errno is Errno.ENOENT or Errno.ENODEV or Errno.EINVAL)
        {
            return false;
        }
    }

    private static void SetIfName(ref NetNsWork work, string ifname)
    {
        var bytes = Encoding.ASCII.GetBytes(ifname);
        if (bytes.Length >= NetNsWork.IfNameSize)
        {
            throw new ArgumentException($"interface name '{ifname}' is longer than 15 characters", nameof(ifname));
        }
        fixed (byte* dst = work.IfName)
        {
            bytes.CopyTo(new Span<byte>(dst, NetNsWork.IfNameSize));
        }
    }

    private static void Run(string netnsPath, ref NetNsWork work, string operation)
    {
        _ = Interop.NsCalls.Setns; // resolve the function pointers before any thread leaves home
        var target = Interop.Libc.Open(netnsPath, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (target < 0)
        {
            throw new BpfException($"open({netnsPath})", LibC.errno, "the pod's network namespace is gone or the path is wrong");
        }
        work.TargetFd = target;
        work.HomeFd = -1;
        var mem = (NetNsWork*)NativeMemory.Alloc((nuint)sizeof(NetNsWork));
        try
        {
            *mem = work;
            NetNsThread.Run(netnsPath, mem);
            work = *mem;
        }
        finally
        {
            NativeMemory.Free(mem);
            _ = LibC.close(target);
        }
        if (work.FailedStep != NetNsStep.None)
        {
            if (work.Op is NetNsOp.CreateSocket or NetNsOp.OpenFile && work.Result >= 0 && work.FailedStep is not NetNsStep.Socket and not NetNsStep.Open)
            {
                _ = LibC.close(work.Result);
            }
            throw new BpfException($"{operation} in {netnsPath} ({work.FailedStep})", work.Errno);
        }
        if (work.ReturnedHome == 0)
        {
            // The namespace's thread has ended, so nothing stays in the pod, but say it loudly.
            throw new BpfException($"setns(back) after {operation} in {netnsPath}", work.Errno);
        }
    }

    /// <summary>Ends the dedicated thread of <paramref name="netnsPath"/> (call when the pod is unenrolled).</summary>
    public static void Release(string netnsPath) => NetNsThread.Release(netnsPath);

    /// <summary>On a namespace thread: setns(pod), the work, setns(home). Nothing managed in between.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    internal static void Execute(NetNsWork* w)
    {
        w->Result = -1;
        if (Interop.NsCalls.Setns(w->TargetFd, CloneNewNet) != 0)
        {
            w->Errno = *Interop.NsCalls.ErrnoLocation();
            w->FailedStep = NetNsStep.EnterNamespace;
            w->ReturnedHome = 1;
            return;
        }
        DoWork(w);
        if (Interop.NsCalls.Setns(w->HomeFd, CloneNewNet) == 0)
        {
            w->ReturnedHome = 1;
        }
        else if (w->FailedStep == NetNsStep.None)
        {
            w->Errno = *Interop.NsCalls.ErrnoLocation();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void DoWork(NetNsWork* w)
    {
        if (w->Op == NetNsOp.CreateSocket)
        {
            CreateSocketInside(w);
            return;
        }
        if (w->Op == NetNsOp.OpenFile)
        {
            var file = Interop.NsCalls.Open(w->Path, w->OpenFlags, 0);
            if (file < 0)
            {
                Fail(w, NetNsStep.Open, *Interop.NsCalls.ErrnoLocation());
                return;
            }
            w->Result = file;
            return;
        }
        var ifindex = (int)Interop.NsCalls.IfNameToIndex(w->IfName);
        if (ifindex == 0)
        {
            Fail(w, NetNsStep.InterfaceIndex, *Interop.NsCalls.ErrnoLocation());
            return;
        }
        w->Ifindex = ifindex;
        var hook = new Interop.Libbpf.BpfTcHook { Sz = (nuint)sizeof(Interop.Libbpf.BpfTcHook), Ifindex = ifindex, AttachPoint = Interop.Libbpf.BpfTcIngress };
        var opts = new Interop.Libbpf.BpfTcOpts { Sz = (nuint)sizeof(Interop.Libbpf.BpfTcOpts), Handle = w->Handle, Priority = w->Priority };
        int rc;
        switch (w->Op)
        {
            case NetNsOp.AttachTcx:
                rc = Interop.NsCalls.BpfLinkCreate(w->ProgFd, ifindex, BpfTcxIngress, null);
                if (rc < 0)
                {
                    Fail(w, NetNsStep.LinkCreate, -rc);
                    return;
                }
                w->Result = rc;
                break;
            case NetNsOp.AttachClsact:
                rc = Interop.NsCalls.BpfTcHookCreate(&hook);
                if (rc < 0 && rc != -Errno.EEXIST)
                {
                    Fail(w, NetNsStep.HookCreate, -rc);
                    return;
                }
                opts.ProgFd = w->ProgFd;
                opts.Flags = Interop.Libbpf.BpfTcFReplace;
                rc = Interop.NsCalls.BpfTcAttach(&hook, &opts);
                if (rc < 0)
                {
                    Fail(w, NetNsStep.TcAttach, -rc);
                    return;
                }
                w->Result = 0;
                break;
            case NetNsOp.DetachClsact:
                rc = Interop.NsCalls.BpfTcDetach(&hook, &opts);
                if (rc < 0)
                {
                    Fail(w, NetNsStep.TcDetach, -rc);
                    return;
                }
                w->Result = 0;
                break;
            default:
                w->Result = 0;
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void CreateSocketInside(NetNsWork* w)
    {
        var fd = Interop.NsCalls.Socket(w->Family, w->Type | SockCloexec, w->Protocol);
        if (fd < 0)
        {
            Fail(w, NetNsStep.Socket, *Interop.NsCalls.ErrnoLocation());
            return;
        }
        w->Result = fd;
        var one = 1;
        var mark = w->Mark;
        if (mark != 0 && Interop.NsCalls.Setsockopt(fd, SolSocket, SoMark, &mark, sizeof(uint)) != 0)
        {
            Fail(w, NetNsStep.SetMark, *Interop.NsCalls.ErrnoLocation());
            return;
        }
        if (w->Transparent != 0 && Interop.NsCalls.Setsockopt(fd, SolIp, IpTransparent, &one, sizeof(int)) != 0)
        {
            Fail(w, NetNsStep.SetTransparent, *Interop.NsCalls.ErrnoLocation());
            return;
        }
        if (w->ReuseAddress != 0 && Interop.NsCalls.Setsockopt(fd, SolSocket, SoReuseAddr, &one, sizeof(int)) != 0)
        {
            Fail(w, NetNsStep.SetReuseAddress, *Interop.NsCalls.ErrnoLocation());
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fail(NetNsWork* w, NetNsStep step, int errno)
    {
        w->FailedStep = step;
        w->Errno = errno;
    }
}
