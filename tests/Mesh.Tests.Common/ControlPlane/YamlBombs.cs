using System.Globalization;
using System.Text;

namespace Mesh.Tests.Common.ControlPlane;

/// <summary>Hostile YAML for the registry tests.</summary>
public static class YamlBombs
{
    /// <summary>
    /// A "billion laughs" ConfigMap: <paramref name="levels"/> anchors, each a list of nine aliases of the one before,
    /// so expanding it makes 9^(levels+1) strings from a file of a few hundred bytes.
    /// </summary>
    public static string Laughs(int levels, string name = "bomb")
    {
        var bomb = new StringBuilder($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: demo}}\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i <= levels; i++)
        {
            bomb.Append(CultureInfo.InvariantCulture, $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        }
        return bomb.ToString();
    }
}
