using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Core.Http;

/// <summary>
/// Lets the tunnel endpoint serve HTTP/1.1 and h2c with prior knowledge (gRPC): Kestrel picks HTTP/1.1 on a
/// cleartext Http1AndHttp2 endpoint (no ALPN to decide), so this connection middleware peeks at the first bytes
/// without consuming them and, when they are the HTTP/2 connection preface, presents "h2" as the negotiated
/// protocol (the server needs <c>AllowAlternateSchemes</c>: the request's :scheme stays http). The one copy for the
/// waypoint's tunnel endpoint, the echo sample and the tests.
/// </summary>
public static class H2cDetection
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async ctx =>
    {
        if (await StartsWithPrefaceAsync(ctx.Transport.Input, ctx.ConnectionClosed))
        {
            // Kestrel selects HTTP/2 from these two; it then expects :scheme https unless AllowAlternateSchemes is set.
            var h2 = new PriorKnowledgeH2();
            ctx.Features.Set<Microsoft.AspNetCore.Server.Kestrel.Core.Features.ITlsApplicationProtocolFeature>(h2);
            ctx.Features.Set<ITlsConnectionFeature>(h2);
        }
        await next(ctx);
    };

    private static async Task<bool> StartsWithPrefaceAsync(System.IO.Pipelines.PipeReader input, CancellationToken ct)
    {
        while (true)
        {
            var result = await input.ReadAsync(ct);
            var buffer = result.Buffer;
            var n = (int)Math.Min(buffer.Length, Preface.Length);
            var head = new byte[n];
            System.Buffers.BuffersExtensions.CopyTo(buffer.Slice(0, n), head);
            var matches = head.AsSpan().SequenceEqual(Preface.AsSpan(0, n));
            if (!matches || n == Preface.Length || result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                return matches && n == Preface.Length;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private sealed class PriorKnowledgeH2 : Microsoft.AspNetCore.Server.Kestrel.Core.Features.ITlsApplicationProtocolFeature, ITlsConnectionFeature
    {
        public ReadOnlyMemory<byte> ApplicationProtocol => "h2"u8.ToArray();
        public X509Certificate2? ClientCertificate { get; set; }
        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
