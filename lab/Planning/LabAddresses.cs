using System.Net;

namespace Mesh.Lab.Planning;

/// <summary>
/// The lab's address plan, all inside 198.18.0.0/15 (the benchmarking range): the fabric bridge 198.19.0.1/24,
/// node i at 198.19.0.(10+i), node i's pods in 198.18.i.0/24 (gateway .1, pods from .2), service VIPs in 198.19.128.0/17.
/// </summary>
public static class LabAddresses
{
    public const string LabRange = "198.18.0.0/15";
    public const string FabricCidr = "198.19.0.0/24";
    public const string ServiceRange = "198.19.128.0/17";
    public const int MaxNodes = 200;
    public const int MaxPodsPerNode = 253;

    public static readonly IPAddress FabricBridge = IPAddress.Parse("198.19.0.1");

    /// <summary>Node i (1-based) on the fabric.</summary>
    public static IPAddress Node(int index) => new([198, 19, 0, (byte)(10 + index)]);

    /// <summary>The pod CIDR of node i: 198.18.i.0/24.</summary>
    public static string PodCidr(int nodeIndex) => $"198.18.{nodeIndex}.0/24";

    /// <summary>The address every pod of node i uses as its gateway (the node side of each pod veth).</summary>
    public static IPAddress PodGateway(int nodeIndex) => new([198, 18, (byte)nodeIndex, 1]);

    /// <summary>Pod k (0-based, in file order) of node i.</summary>
    public static IPAddress Pod(int nodeIndex, int podIndex) => new([198, 18, (byte)nodeIndex, (byte)(podIndex + 2)]);

    /// <summary>Service VIP number n (0-based): 198.19.128.1, 198.19.128.2, ...</summary>
    public static IPAddress ServiceVip(int n)
    {
        var v = (128u << 8) + 1u + (uint)n;
        return new([198, 19, (byte)(v >> 8), (byte)(v & 0xff)]);
    }

    public static bool IsServiceVip(IPAddress a) => InCidr(a, ServiceRange) && !a.Equals(ServiceVip(-1));

    public static bool InLab(IPAddress a) => InCidr(a, LabRange);

    /// <summary>True when <paramref name="a"/> is inside <paramref name="cidr"/> (IPv4 only).</summary>
    public static bool InCidr(IPAddress a, string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var net = IPAddress.Parse(cidr[..slash]);
        var bits = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }
        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
        return (ToUInt(a) & mask) == (ToUInt(net) & mask);
    }

    /// <summary>True when the whole of <paramref name="inner"/> lies inside <paramref name="outer"/>.</summary>
    public static bool CidrInside(string inner, string outer)
    {
        var slash = inner.IndexOf('/', StringComparison.Ordinal);
        var bits = slash < 0 ? 32 : int.Parse(inner[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var outerBits = int.Parse(outer[(outer.IndexOf('/', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var addr = IPAddress.Parse(slash < 0 ? inner : inner[..slash]);
        return bits >= outerBits && InCidr(addr, outer);
    }

    private static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }
}
