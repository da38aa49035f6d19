using System.Collections.Immutable;

namespace Mesh.Core.Model;

/// <summary>
/// The Gateway API filters of a rule (or of one backendRef), one field per filter type since each type may appear at
/// most once (RequestMirror any number of times). Applied in a fixed order: request headers, URL rewrite, then the
/// request goes to the backend (or the redirect answers instead), response headers on the way back; mirrors get a
/// copy of the request as it leaves.
/// </summary>
public sealed record HttpRouteFilters
{
    public static readonly HttpRouteFilters None = new();

    public HttpHeaderModifier? RequestHeaders { get; init; }
    public HttpHeaderModifier? ResponseHeaders { get; init; }
    public HttpRedirect? Redirect { get; init; }
    public HttpUrlRewrite? Rewrite { get; init; }
    public ImmutableArray<HttpBackendRef> Mirrors { get; init; } = [];

    /// <summary>
    /// The rule names a filter the waypoint cannot resolve (an ExtensionRef): Gateway API says such a filter must not be
    /// skipped, so the requests it would have processed get a 500.
    /// </summary>
    public string? Unresolved { get; init; }

    public bool IsEmpty => RequestHeaders is null && ResponseHeaders is null && Redirect is null && Rewrite is null && Mirrors.IsEmpty && Unresolved is null;
}

/// <summary>RequestHeaderModifier / ResponseHeaderModifier: set (overwrite), add (append a value), remove (by name); names case-insensitive.</summary>
public sealed record HttpHeaderModifier
{
    public ImmutableArray<HttpHeaderValue> Set { get; init; } = [];
    public ImmutableArray<HttpHeaderValue> Add { get; init; } = [];
    public ImmutableArray<string> Remove { get; init; } = [];
}

/// <summary>One header name and value of a header modifier.</summary>
public sealed record HttpHeaderValue(string Name, string Value);

/// <summary>
/// RequestRedirect: the Location is built from the request with these parts replaced; <see cref="StatusCode"/> 301,
/// 302 (default), 303, 307 or 308.
/// </summary>
public sealed record HttpRedirect
{
    public string? Scheme { get; init; }
    public string? Hostname { get; init; }
    public int? Port { get; init; }
    public HttpPathModifier? Path { get; init; }
    public int StatusCode { get; init; } = 302;
}

/// <summary>URLRewrite: the Host header and/or the path the backend sees.</summary>
public sealed record HttpUrlRewrite
{
    public string? Hostname { get; init; }
    public HttpPathModifier? Path { get; init; }
}

/// <summary>A path modifier: <see cref="Type"/> "ReplaceFullPath" (the whole path becomes <see cref="Value"/>) or
/// "ReplacePrefixMatch" (the matched PathPrefix is replaced by it).</summary>
public sealed record HttpPathModifier(string Type, string Value);
