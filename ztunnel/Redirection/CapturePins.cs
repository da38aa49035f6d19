using System.Text;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// Where one ztunnel instance pins its capture in bpffs (pure paths): <c>&lt;bpffs&gt;/mesh/&lt;instance&gt;/</c> with
/// <c>maps/</c> (the shared maps), <c>progs/</c> (the loaded programs) and <c>pods/&lt;pod key&gt;/</c> (one pinned link per
/// program attached to that pod, named after the program). Everything there outlives the process; removing the
/// folder (and the processes) removes it all.
/// </summary>
public sealed record CapturePins(string Root)
{
    /// <summary>Folder under bpffs that holds every instance.</summary>
    public const string MeshFolder = "mesh";

    public static CapturePins For(RedirectionOptions options) => new(Path.Combine(options.BpfFsRoot, MeshFolder, options.Instance));

    public string MapsDir => Path.Combine(Root, "maps");

    public string ProgramsDir => Path.Combine(Root, "progs");

    public string PodsDir => Path.Combine(Root, "pods");

    public string Map(string name) => Path.Combine(MapsDir, name);

    public string Program(string name) => Path.Combine(ProgramsDir, name);

    public string PodDir(string uid) => Path.Combine(PodsDir, PodKey(uid));

    public string PodLink(string uid, string program) => Path.Combine(PodDir(uid), program);

    /// <summary>
    /// True for names usable as an instance folder: 1-64 of [a-z0-9._-], starting with a letter or digit
    /// (the lab uses &lt;lab&gt;-&lt;node&gt;).
    /// </summary>
    public static bool IsValidInstance(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-');

    /// <summary>A pod uid as one file name: [A-Za-z0-9_-] kept, every other byte as %XX (reversible, never "." or "..").</summary>
    public static string PodKey(string uid)
    {
        var key = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(uid))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            {
                key.Append(c);
            }
            else
            {
                key.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return key.ToString();
    }

    /// <summary>The uid a <see cref="PodKey"/> came from; null when <paramref name="key"/> is not one.</summary>
    public static string? UidFromKey(string key)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '%')
            {
                if (i + 2 >= key.Length || !byte.TryParse(key.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var b))
                {
                    return null;
                }
                bytes.Add(b);
                i += 2;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            {
                bytes.Add((byte)c);
            }
            else
            {
                return null;
            }
        }
        return bytes.Count == 0 ? null : Encoding.UTF8.GetString([.. bytes]);
    }
}
