using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Mesh.Native.Net;

/// <summary>
/// A NETLINK_ROUTE socket made inside a network namespace (so it edits that namespace's rules and routes), used
/// from any thread: policy rules matching a firewall mark and a "local 0.0.0.0/0" route in a table. Adds are
/// exclusive and return false when the entry already exists; deletes return false when there was none; any other
/// kernel answer throws <see cref="BpfException"/>.
/// </summary>
public sealed class RouteNetlink : IDisposable
{
    private const ushort RtmNewRoute = 24;
    private const ushort RtmDelRoute = 25;
    private const ushort RtmNewRule = 32;
    private const ushort RtmDelRule = 33;
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

    private const int NetlinkRoute = 0;

    private readonly NetlinkChannel _channel;
    private readonly string _netnsPath;

    private RouteNetlink(string netnsPath)
    {
        _channel = new NetlinkChannel(netnsPath, NetlinkRoute);
        _netnsPath = netnsPath;
    }

    /// <summary>Opens a route netlink socket in <paramref name="netnsPath"/> (made there with the setns pattern).</summary>
    public static RouteNetlink Open(string netnsPath) => new(netnsPath);

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

    public void Dispose() => _channel.Dispose();

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
        var error = 0;
        _channel.Request(type, (ushort)(NlmFAck | flags), body, operation, (kind, payload) =>
        {
            if (kind != NetlinkChannel.NlmsgError)
            {
                return false;
            }
            error = NetlinkChannel.ErrorOf(payload);
            return true;
        });
        if (error != 0 && error != benign)
        {
            throw new BpfException($"netlink {operation} in {_netnsPath}", error);
        }
        return error == 0;
    }
}
