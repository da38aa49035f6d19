namespace Mesh.Core.Discovery;

/// <summary>FNV-1a 64 over a resource's JSON bytes: the same on both ends, used to tell changed resources apart.</summary>
public static class ResourceHash
{
    public static ulong Compute(ReadOnlySpan<byte> json)
    {
        var h = 14695981039346656037UL;
        foreach (var b in json)
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return h;
    }

    public static string Hex(ulong hash) => hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
