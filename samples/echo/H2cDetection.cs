using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Samples.Echo;

/// <summary>
/// Lets one cleartext Kestrel port serve HTTP/1.1 and h2c with prior knowledge. Kestrel picks HTTP/1.1 on a
/// cleartext Http1AndHttp2 endpoint (no ALPN to decide), so this connection middleware peeks at the first bytes
/// without consuming them and, when they are the HTTP/2 preface, presents "h2" as the negotiated protocol.
/// </summary>
internal static class H2cDetection
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async ctx =>
    {
        if (await IsHttp2Async(ctx.Transport.Input, ctx.ConnectionClosed))
        {
            var h2 = new NegotiatedH2();
            ctx.Features.Set<ITlsApplicationProtocolFeature>(h2);
            ctx.Features.Set<ITlsConnectionFeature>(h2);
        }
        await next(ctx);
    };

    private static async Task<bool> IsHttp2Async(System.IO.Pipelines.PipeReader input, CancellationToken ct)
    {
        while (true)
        {
            var result = await input.ReadAsync(ct);
            var buffer = result.Buffer;
            var n = (int)Math.Min(buffer.Length, Preface.Length);
            var head = buffer.Slice(0, n).ToArray();
            var matches = head.AsSpan().SequenceEqual(Preface.AsSpan(0, n));
            if (!matches || n == Preface.Length || result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                return matches && n == Preface.Length;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private sealed class NegotiatedH2 : ITlsApplicationProtocolFeature, ITlsConnectionFeature
    {
        public ReadOnlyMemory<byte> ApplicationProtocol => "h2"u8.ToArray();
        public X509Certificate2? ClientCertificate { get; set; }
        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
