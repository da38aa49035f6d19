using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Mesh.Native;

/// <summary>
/// A NETLINK_ROUTE socket made inside a network namespace (so it edits that namespace's rules and routes), used
/// from any thread: policy rules matching a firewall mark and a "local 0.0.0.0/0" route in a table. Adds are
/// exclusive and return false when the entry already exists; deletes return false when there was none; any other
/// kernel answer throws <see cref="BpfException"/>.
/// </summary>
public sealed unsafe class RouteNetlink : IDisposable
{
    private const ushort RtmNewRoute = 24;
    private const ushort RtmDelRoute = 25;
    private const ushort RtmNewRule = 32;
    private const ushort RtmDelRule = 33;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFExcl = 0x200;
    private const ushort NlmFCreate = 0x400;
    private const byte AfInet = 2;
    private const byte FrActToTbl = 1;
    private const byte RtnLocal = 2;
    private const byte RtScopeHost = 254;
    private const byte RtprotStatic = 4;
    private const ushort FraPriority = 6;
    private const ushort FraFwmark = 10;
    private const ushort FraTable = 15;
    private const ushort FraFwmask = 16;
    private const ushort RtaOif = 4;
    private const ushort RtaTable = 15;
    private const int HeaderSize = 16;

    private readonly int _fd;
    private readonly string _netnsPath;
    private uint _sequence;
    private int _disposed;

    private RouteNetlink(int fd, string netnsPath)
    {
        _fd = fd;
        _netnsPath = netnsPath;
    }

    /// <summary>Opens a route netlink socket in <paramref name="netnsPath"/> (made there with the setns pattern).</summary>
    public static RouteNetlink Open(string netnsPath) => new(NetNs.CreateRouteNetlinkSocket(netnsPath), netnsPath);

    /// <summary><c>ip rule add fwmark MARK/MASK lookup TABLE pref PRIORITY</c>; false when that rule exists.</summary>
    public bool AddFwmarkRule(uint mark, uint mask, uint table, uint priority) =>
        Send(RtmNewRule, NlmFCreate | NlmFExcl, RuleMessage(mark, mask, table, priority), "add rule", Errno.EEXIST);

    /// <summary><c>ip rule del fwmark MARK/MASK lookup TABLE pref PRIORITY</c>; false when there was none.</summary>
    public bool DeleteFwmarkRule(uint mark, uint mask, uint table, uint priority) =>
        Send(RtmDelRule, 0, RuleMessage(mark, mask, table, priority), "delete rule", Errno.ENOENT);

    /// <summary><c>ip route add local 0.0.0.0/0 dev IFINDEX table TABLE</c>; false when that route exists.</summary>
    public bool AddLocalDefaultRoute(uint table, int ifindex) =>
        Send(RtmNewRoute, NlmFCreate | NlmFExcl, RouteMessage(table, ifindex), "add route", Errno.EEXIST);

    /// <summary><c>ip route del local 0.0.0.0/0 dev IFINDEX table TABLE</c>; false when there was none.</summary>
    public bool DeleteLocalDefaultRoute(uint table, int ifindex) =>
        Send(RtmDelRoute, 0, RouteMessage(table, ifindex), "delete route", Errno.ESRCH);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ = LibC.close(_fd);
        }
    }

    private static byte[] RuleMessage(uint mark, uint mask, uint table, uint priority)
    {
        // struct fib_rule_hdr { family, dst_len, src_len, tos, table, res1, res2, action; u32 flags } + attributes
        var body = new byte[12 + (4 * 8)];
        body[0] = AfInet;
        body[4] = table < 256 ? (byte)table : (byte)0;
        body[7] = FrActToTbl;
        var at = 12;
        at = PutU32(body, at, FraPriority, priority);
        at = PutU32(body, at, FraFwmark, mark);
        at = PutU32(body, at, FraFwmask, mask);
        _ = PutU32(body, at, FraTable, table);
        return body;
    }

    private static byte[] RouteMessage(uint table, int ifindex)
    {
        // struct rtmsg { family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags } + attributes
        var body = new byte[12 + (2 * 8)];
        body[0] = AfInet;
        body[4] = table < 256 ? (byte)table : (byte)0;
        body[5] = RtprotStatic;
        body[6] = RtScopeHost;
        body[7] = RtnLocal;
        var at = 12;
        at = PutU32(body, at, RtaTable, table);
        _ = PutU32(body, at, RtaOif, (uint)ifindex);
        return body;
    }

    private static int PutU32(byte[] buffer, int at, ushort type, uint value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(at), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(at + 2), type);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at + 4), value);
        return at + 8;
    }

    /// <summary>Sends one request with NLM_F_ACK and reads the kernel's answer; false when it is <paramref name="benign"/>.</summary>
    private bool Send(ushort type, ushort flags, byte[] body, string operation, int benign)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var sequence = ++_sequence;
        var message = new byte[HeaderSize + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), (ushort)(NlmFRequest | NlmFAck | flags));
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), sequence);
        body.CopyTo(message, HeaderSize);
        fixed (byte* p = message)
        {
            if (LibC.send(_fd, p, message.Length, 0) != message.Length)
            {
                throw new BpfException($"netlink {operation} in {_netnsPath}: send", LibC.errno);
            }
        }
        var answer = new byte[4096];
        while (true)
        {
            long read;
            fixed (byte* p = answer)
            {
                read = LibC.recv(_fd, p, answer.Length, 0);
            }
            if (read < HeaderSize)
            {
                throw new BpfException($"netlink {operation} in {_netnsPath}: recv", read < 0 ? LibC.errno : Errno.EINVAL);
            }
            for (var at = 0; at + HeaderSize <= read;)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(answer.AsSpan(at));
                var kind = BinaryPrimitives.ReadUInt16LittleEndian(answer.AsSpan(at + 4));
                var seq = BinaryPrimitives.ReadUInt32LittleEndian(answer.AsSpan(at + 8));
                if (length < HeaderSize || at + length > read)
                {
                    break;
                }
                if (kind == NlmsgError && seq == sequence)
                {
                    var error = -BinaryPrimitives.ReadInt32LittleEndian(answer.AsSpan(at + HeaderSize));
                    if (error == 0)
                    {
                        return true;
                    }
                    if (error == benign)
                    {
                        return false;
                    }
                    throw new BpfException($"netlink {operation} in {_netnsPath}", error);
                }
                at += (length + 3) & ~3;
            }
        }
    }
}
