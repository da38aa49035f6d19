using System.Net.Sockets;
using Tmds.Linux;

namespace Mesh.Native.Net;

/// <summary>
/// Sends and receives file descriptors over a connected unix socket (SCM_RIGHTS): the receiver gets its own fds
/// for the same open files (for a listening socket: the same socket, with its accept queue). Meant for
/// SOCK_SEQPACKET, so each call is one message. Both wait at most the given time (poll), whatever the fd's mode.
/// </summary>
public static unsafe class FdPassing
{
    /// <summary>At most this many fds in one message (the kernel's SCM_MAX_FD is 253).</summary>
    public const int MaxFds = 16;

    /// <summary>
    /// Where a control message's data starts: C's CMSG_LEN(n) is this + n. Not Tmds' CMSG_LEN, which rounds the
    /// sum up to 8 (one fd would be sent as two, the second one whatever the padding holds).
    /// </summary>
    private static readonly int s_dataOffset = LibC.CMSG_SPACE(0);

    /// <summary>Sends <paramref name="data"/> (at least one byte) with <paramref name="fds"/> attached.</summary>
    public static void Send(Socket socket, ReadOnlySpan<byte> data, ReadOnlySpan<int> fds, TimeSpan timeout)
    {
        if (data.IsEmpty || fds.Length > MaxFds)
        {
            throw new ArgumentException($"a message needs data and at most {MaxFds} fds");
        }
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        var control = stackalloc byte[LibC.CMSG_SPACE(MaxFds * sizeof(int))];
        fixed (byte* bytes = data)
        {
            var iov = new iovec { iov_base = bytes, iov_len = data.Length };
            var msg = new msghdr { msg_iov = &iov, msg_iovlen = 1 };
            if (!fds.IsEmpty)
            {
                msg.msg_control = control;
                msg.msg_controllen = LibC.CMSG_SPACE(fds.Length * sizeof(int));
                var header = LibC.CMSG_FIRSTHDR(&msg);
                header->cmsg_len = s_dataOffset + (fds.Length * sizeof(int));
                header->cmsg_level = LibC.SOL_SOCKET;
                header->cmsg_type = LibC.SCM_RIGHTS;
                fds.CopyTo(new Span<int>(LibC.CMSG_DATA(header), fds.Length));
            }
            while (true)
            {
                Wait(fd, LibC.POLLOUT, timeout, "sendmsg");
                if (LibC.sendmsg(fd, &msg, LibC.MSG_NOSIGNAL) >= 0)
                {
                    return;
                }
                var errno = LibC.errno;
                if (errno != LibC.EINTR && errno != LibC.EAGAIN)
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
        var control = stackalloc byte[LibC.CMSG_SPACE(MaxFds * sizeof(int))];
        fixed (byte* bytes = buffer)
        {
            var iov = new iovec { iov_base = bytes, iov_len = buffer.Length };
            var msg = new msghdr { msg_iov = &iov, msg_iovlen = 1, msg_control = control, msg_controllen = LibC.CMSG_SPACE(MaxFds * sizeof(int)) };
            long read;
            while (true)
            {
                Wait(fd, LibC.POLLIN, timeout, "recvmsg");
                read = LibC.recvmsg(fd, &msg, LibC.MSG_CMSG_CLOEXEC);
                if (read >= 0)
                {
                    break;
                }
                var errno = LibC.errno;
                if (errno != LibC.EINTR && errno != LibC.EAGAIN)
                {
                    throw new BpfException("recvmsg(SCM_RIGHTS)", errno);
                }
            }
            var received = new List<int>();
            for (var header = LibC.CMSG_FIRSTHDR(&msg); header != null; header = LibC.CMSG_NXTHDR(&msg, header))
            {
                if (header->cmsg_level == LibC.SOL_SOCKET && header->cmsg_type == LibC.SCM_RIGHTS)
                {
                    var count = ((int)header->cmsg_len - s_dataOffset) / sizeof(int);
                    received.AddRange(new ReadOnlySpan<int>(LibC.CMSG_DATA(header), count));
                }
            }
            fds = [.. received];
            return (int)read;
        }
    }

    private static void Wait(int fd, short events, TimeSpan timeout, string operation)
    {
        var poll = new pollfd { fd = fd, events = events };
        var rc = Interop.Libc.Poll(&poll, 1, (int)timeout.TotalMilliseconds);
        if (rc == 0)
        {
            throw new TimeoutException($"{operation}: nothing after {timeout.TotalSeconds:0.#} s");
        }
        if (rc < 0 && LibC.errno != LibC.EINTR)
        {
            throw new BpfException($"poll({operation})", LibC.errno);
        }
    }
}
