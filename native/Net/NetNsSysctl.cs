using System.Text;

namespace Mesh.Native.Net;

/// <summary>
/// Reads and writes a network namespace's sysctls (<c>net.ipv4.*</c>): the /proc/sys file is opened inside the
/// namespace with the setns pattern (it belongs to the opener's namespace) and read or written from here.
/// </summary>
public static class NetNsSysctl
{
    /// <summary>The value of <paramref name="name"/> (e.g. "net.ipv4.tcp_fwmark_accept"), trimmed.</summary>
    public static string Read(string netnsPath, string name)
    {
        using var file = NetNs.OpenFile(netnsPath, PathOf(name), write: false);
        var buffer = new byte[256];
        var read = RandomAccess.Read(file, buffer, 0);
        return Encoding.ASCII.GetString(buffer, 0, read).Trim();
    }

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> in the namespace.</summary>
    public static void Write(string netnsPath, string name, string value)
    {
        using var file = NetNs.OpenFile(netnsPath, PathOf(name), write: true);
        try
        {
            RandomAccess.Write(file, Encoding.ASCII.GetBytes(value + "\n"), 0);
        }
        catch (IOException e)
        {
            throw new BpfException($"write {name}={value} in {netnsPath}", e.HResult & 0xffff);
        }
    }

    private static string PathOf(string name)
    {
        if (!name.StartsWith("net.", StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a net.* sysctl name", nameof(name));
        }
        return "/proc/sys/" + name.Replace('.', '/');
    }
}
