using System.Buffers.Binary;
using Tmds.Linux;

namespace Mesh.Native.Net;

/// <summary>
/// One netlink socket made inside a network namespace (it then speaks for that namespace from any thread): sends a
/// request and reads the kernel's answers to it. One request at a time (callers that share it serialise).
/// </summary>
internal sealed unsafe class NetlinkChannel : IDisposable
{
    public const int HeaderSize = 16;
    public const ushort NlmsgError = 2;
    public const ushort NlmsgDone = 3;
    public const ushort NlmFRequest = 0x1;

    /// <summary>Looks at one answer message (its type and what follows the header); true when it ends the answer.</summary>
    public delegate bool AnswerHandler(ushort type, ReadOnlySpan<byte> payload);

    private readonly int _fd;
    private readonly string _netnsPath;
    private readonly byte[] _answer = new byte[8192];
    private uint _sequence;
    private int _disposed;

    public NetlinkChannel(string netnsPath, int protocol)
    {
        _fd = NetNs.CreateNetlinkSocket(netnsPath, protocol);
        _netnsPath = netnsPath;
    }

    /// <summary>Sends <paramref name="body"/> as one message of <paramref name="type"/>, then hands each answer to it to <paramref name="handler"/> until one ends it.</summary>
    public void Request(ushort type, ushort flags, ReadOnlySpan<byte> body, string operation, AnswerHandler handler)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var sequence = ++_sequence;
        Span<byte> message = stackalloc byte[HeaderSize + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(message[6..], (ushort)(NlmFRequest | flags));
        BinaryPrimitives.WriteUInt32LittleEndian(message[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(message[12..], 0);
        body.CopyTo(message[HeaderSize..]);
        fixed (byte* p = message)
        {
            if (LibC.send(_fd, p, message.Length, 0) != message.Length)
            {
                throw new BpfException($"netlink {operation} in {_netnsPath}: send", LibC.errno);
            }
        }
        while (true)
        {
            long read;
            fixed (byte* p = _answer)
            {
                read = LibC.recv(_fd, p, _answer.Length, 0);
            }
            if (read < HeaderSize)
            {
                throw new BpfException($"netlink {operation} in {_netnsPath}: recv", read < 0 ? LibC.errno : Errno.EINVAL);
            }
            for (var at = 0; at + HeaderSize <= read;)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(_answer.AsSpan(at));
                if (length < HeaderSize || at + length > read)
                {
                    break;
                }
                var kind = BinaryPrimitives.ReadUInt16LittleEndian(_answer.AsSpan(at + 4));
                var seq = BinaryPrimitives.ReadUInt32LittleEndian(_answer.AsSpan(at + 8));
                if (seq == sequence && handler(kind, _answer.AsSpan(at + HeaderSize, length - HeaderSize)))
                {
                    return;
                }
                at += (length + 3) & ~3;
            }
        }
    }

    /// <summary>The error an NLMSG_ERROR answer carries, as a positive errno (0: the acknowledgement of success).</summary>
    public static int ErrorOf(ReadOnlySpan<byte> payload) => -BinaryPrimitives.ReadInt32LittleEndian(payload);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ = LibC.close(_fd);
        }
    }
}
