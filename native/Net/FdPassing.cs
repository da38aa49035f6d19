using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Mesh.Native;

/// <summary>
/// Sends and receives file descriptors over a connected unix socket (SCM_RIGHTS): the receiver gets its own fds
/// for the same open files (for a listening socket: the same socket, with its accept queue). Meant for
/// SOCK_SEQPACKET, so each call is one message. Both wait at most the given time (poll), whatever the fd's mode.
/// </summary>
public static unsafe class FdPassing
{
    /// <summary>At most this many fds in one message (the kernel's SCM_MAX_FD is 253).</summary>
    public const int MaxFds = 16;

    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int MsgNoSignal = 0x4000;
    private const short PollIn = 1;
    private const short PollOut = 4;
    private const int EIntr = 4;
    private const int EAgain = 11;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>Sends <paramref name="data"/> (at least one byte) with <paramref name="fds"/> attached.</summary>
    public static void Send(Socket socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds, TimeSpan timeout)
    {
        if (data.IsEmpty || fds.Length > MaxFds)
        {
            throw new ArgumentException($"a message needs data and at most {MaxFds} fds");
        }
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        var control = stackalloc byte[ControlSpace(MaxFds)];
        fixed (byte* bytes = data)
        {
            var iov = new IoVec { Base = bytes, Length = (nuint)data.Length };
            var msg = new MsgHdr { Iov = &iov, IovLength = 1 };
            if (!fds.IsEmpty)
            {
                var header = (CmsgHdr*)control;
                header->Length = (nuint)(sizeof(CmsgHdr) + (fds.Length * sizeof(int)));
                header->Level = SolSocket;
                header->Type = ScmRights;
                fds.CopyTo(new Span<int>(control + sizeof(CmsgHdr), fds.Length));
                msg.Control = control;
                msg.ControlLength = (nuint)ControlSpace(fds.Length);
            }
            while (true)
            {
                Wait(fd, PollOut, timeout, "sendmsg");
                var sent = Interop.Libc.SendMsg(fd, &msg, MsgNoSignal);
                if (sent >= 0)
                {
                    return;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno is not EIntr and not EAgain)
                {
                    throw new BpfException("sendmsg(SCM_RIGHTS)", errno);
                }
            }
        }
    }

    /// <summary>Receives one message into <paramref name="buffer"/>; returns its length (0: the peer closed) and the fds that came with it.</summary>
    public static int Receive(Socket socket, Span<byte> buffer, out int[] fds, TimeSpan timeout)
    {
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        var control = stackalloc byte[ControlSpace(MaxFds)];
        fixed (byte* bytes = buffer)
        {
            var iov = new IoVec { Base = bytes, Length = (nuint)buffer.Length };
            var msg = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)ControlSpace(MaxFds) };
            nint read;
            while (true)
            {
                Wait(fd, PollIn, timeout, "recvmsg");
                read = Interop.Libc.RecvMsg(fd, &msg, MsgCmsgCloexec);
                if (read >= 0)
                {
                    break;
                }
                var errno = Marshal.GetLastPInvokeError();
                if (errno is not EIntr and not EAgain)
                {
                    throw new BpfException("recvmsg(SCM_RIGHTS)", errno);
                }
            }
            var received = new List<int>();
            if (msg.ControlLength >= (nuint)sizeof(CmsgHdr))
            {
                var header = (CmsgHdr*)control;
                if (header->Level == SolSocket && header->Type == ScmRights)
                {
                    var count = ((int)header->Length - sizeof(CmsgHdr)) / sizeof(int);
                    received.AddRange(new ReadOnlySpan<int>(control + sizeof(CmsgHdr), count));
                }
            }
            fds = [.. received];
            return (int)read;
        }
    }

    private static int ControlSpace(int fdCount) => sizeof(CmsgHdr) + (((fdCount * sizeof(int)) + 7) & ~7);

    private static void Wait(int fd, short events, TimeSpan timeout, string operation)
    {
        var poll = new PollFd { Fd = fd, Events = events };
        var rc = Interop.Libc.Poll(&poll, 1, (int)timeout.TotalMilliseconds);
        if (rc == 0)
        {
            throw new TimeoutException($"{operation}: nothing after {timeout.TotalSeconds:0.#} s");
        }
        if (rc < 0 && Marshal.GetLastPInvokeError() != EIntr)
        {
            throw new BpfException($"poll({operation})", Marshal.GetLastPInvokeError());
        }
    }
}
