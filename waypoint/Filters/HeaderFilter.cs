using Mesh.Core.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Mesh.Waypoint.Filters;

/// <summary>
/// RequestHeaderModifier / ResponseHeaderModifier on a header collection (names case-insensitive, as
/// <see cref="IHeaderDictionary"/> is): <c>set</c> replaces every value of the header, <c>add</c> appends one (the
/// header keeps the values it had), <c>remove</c> drops it; in that order. Pure.
/// </summary>
public static class HeaderFilter
{
    public static void Apply(HttpHeaderModifier? modifier, IHeaderDictionary headers)
    {
        if (modifier is null)
        {
            return;
        }
        foreach (var h in modifier.Set)
        {
            headers[h.Name] = h.Value;
        }
        foreach (var h in modifier.Add)
        {
            headers[h.Name] = headers.TryGetValue(h.Name, out var existing) ? StringValues.Concat(existing, h.Value) : new StringValues(h.Value);
        }
        foreach (var name in modifier.Remove)
        {
            headers.Remove(name);
        }
    }
}
