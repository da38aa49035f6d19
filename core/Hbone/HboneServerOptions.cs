using Mesh.Core.Hbone.Http2;

namespace Mesh.Core.Hbone;

/// <summary>Settings of the inbound HBONE server (15008).</summary>
public sealed record HboneServerOptions
{
    public Http2Options Http2 { get; init; } = new();

    /// <summary>Limit for the TLS handshake and the client's preface and SETTINGS.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>TLS handshakes in progress on this server (all its listeners) beyond which new connections are reset before TLS.</summary>
    public int MaxHandshakes { get; init; } = 128;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
