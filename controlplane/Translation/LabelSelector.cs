using System.Collections.Immutable;

namespace Mesh.ControlPlane.Translation;

/// <summary>matchLabels semantics: every selector entry is present with the same value. An empty selector matches all.</summary>
internal static class LabelSelector
{
    public static bool Matches(ImmutableDictionary<string, string> selector, ImmutableDictionary<string, string> labels)
    {
        foreach (var (k, v) in selector)
        {
            if (!labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }
        return true;
    }
}
