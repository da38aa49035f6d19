using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Mesh.Core.Hbone;
using Mesh.Core.Http;
using Mesh.Waypoint.Identity;
using Mesh.Waypoint.Inbound;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Mesh.Waypoint.Host;

/// <summary>
/// The one Kestrel server: HBONE on 15008 (HTTP/2 only, TLS 1.3, ALPN h2, client certificate required and chained
/// to the mesh trust bundle, the waypoint's current certificate per handshake) and the in-memory endpoint where the
/// tunnels' HTTP/1.1 is parsed. No data rate or body size limits (a tunnel may idle or carry any amount).
/// </summary>
public static class KestrelSetup
{
    public static void Configure(KestrelServerOptions kestrel, WaypointOptions options, WaypointIdentity identity)
    {
        kestrel.AddServerHeader = false;
        // h2c inside tunnels: :scheme is http while the connection looks like TLS to Kestrel (H2cDetection).
        kestrel.AllowAlternateSchemes = true;
        kestrel.Limits.MinRequestBodyDataRate = null;
        kestrel.Limits.MinResponseDataRate = null;
        kestrel.Limits.MaxRequestBodySize = null;
        kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
        kestrel.Limits.Http2.InitialStreamWindowSize = 1024 * 1024;
        kestrel.Listen(new IPEndPoint(options.ListenAddress, options.HbonePort), listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                HandshakeTimeout = TimeSpan.FromSeconds(10),
                OnConnection = _ => ValueTask.FromResult(ServerTls(identity)),
            });
        });
        kestrel.Listen(new TunnelEndPoint(), listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.Use(H2cDetection.Middleware);
        });
    }

    private static SslServerAuthenticationOptions ServerTls(WaypointIdentity identity)
    {
        var credential = identity.Current ?? throw new AuthenticationException("the waypoint has no certificate yet");
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = credential.Context,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                HboneTrust.Check(certificate, chain, credential.TrustBundle, DateTimeOffset.UtcNow, null, out _) == HbonePeerCheck.Trusted,
        };
    }
}
