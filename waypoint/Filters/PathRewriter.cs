using Mesh.Core.Model;

namespace Mesh.Waypoint.Filters;

/// <summary>
/// The path modifiers of URLRewrite and RequestRedirect (Gateway API): ReplaceFullPath replaces the whole path;
/// ReplacePrefixMatch replaces the PathPrefix that matched (whole segments, a trailing <c>/</c> on either side ignored)
/// and keeps the rest: <c>/foo/bar</c> matched by <c>/foo</c> becomes <c>/xyz/bar</c> with <c>/xyz</c> or
/// <c>/xyz/</c>, and <c>/bar</c> with an empty replacement; <c>/foo/</c> becomes <c>/xyz/</c>; an empty result is
/// <c>/</c>. Pure.
/// </summary>
public static class PathRewriter
{
    /// <param name="matchedPrefix">The PathPrefix value of the match that selected the rule (null: <c>/</c>).</param>
    public static string Apply(HttpPathModifier? modifier, string path, string? matchedPrefix)
    {
        if (modifier is null)
        {
            return path;
        }
        if (modifier.Type == "ReplaceFullPath")
        {
            return modifier.Value.Length == 0 ? "/" : modifier.Value;
        }
        var prefix = Trim(matchedPrefix ?? "/");
        var rest = path.Length >= prefix.Length ? path[prefix.Length..] : "";
        var result = Trim(modifier.Value) + rest;
        return result.Length == 0 ? "/" : result[0] == '/' ? result : "/" + result;
    }

    /// <summary>"/" and "" become "", "/abc/" becomes "/abc".</summary>
    private static string Trim(string p) => p.TrimEnd('/');
}
