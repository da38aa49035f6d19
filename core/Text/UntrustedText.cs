using System.Text;

namespace Mesh.Core.Text;

/// <summary>
/// Attacker-controlled strings (a requested identity, CSR fields, node names, request paths) made safe to echo in a
/// reply or a log line: control characters (newlines that would forge log lines, escapes) become '?', and anything
/// longer than a bound is cut with a marker saying how much was left out. Pure.
/// </summary>
public static class UntrustedText
{
    /// <summary>The default bound: longer than any identity or node name a mesh uses.</summary>
    public const int DefaultMax = 256;

    /// <summary><paramref name="value"/> cut to <paramref name="max"/> characters ("...[+N chars]" marks the cut), control characters replaced.</summary>
    public static string Bound(string? value, int max = DefaultMax)
    {
        if (value is null)
        {
            return "";
        }
        var keep = Math.Min(value.Length, max);
        if (keep < value.Length && keep > 0 && char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }
        var clean = true;
        for (var i = 0; i < keep; i++)
        {
            if (IsUnsafe(value[i]))
            {
                clean = false;
                break;
            }
        }
        if (clean && keep == value.Length)
        {
            return value;
        }
        var sb = new StringBuilder(keep + 24);
        for (var i = 0; i < keep; i++)
        {
            sb.Append(IsUnsafe(value[i]) ? '?' : value[i]);
        }
        if (keep < value.Length)
        {
            sb.Append("...[+").Append(value.Length - keep).Append(" chars]");
        }
        return sb.ToString();
    }

    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
