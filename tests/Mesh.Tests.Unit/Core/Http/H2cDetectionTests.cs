using System.IO.Pipelines;
using System.Text;
using Mesh.Core.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Mesh.Tests.Unit.Core.Http;

public sealed class H2cDetectionTests
{
    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04", "h2")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n", null)]
    [InlineData("PRI * HTTP/1.1\r\n\r\n", null)]
    public async Task Middleware_FirstBytes_H2OnlyOnThePrefaceAndNothingConsumed(string first, string? expected)
    {
        var pipe = new Pipe();
        var context = new DefaultConnectionContext("c1", new DuplexPipe(pipe.Reader), new DuplexPipe(new Pipe().Reader));
        await pipe.Writer.WriteAsync(Encoding.Latin1.GetBytes(first));
        await pipe.Writer.CompleteAsync();
        string? protocol = null;
        string? seen = null;

        await H2cDetection.Middleware(async ctx =>
        {
            var alpn = ctx.Features.Get<ITlsApplicationProtocolFeature>();
            protocol = alpn is null ? null : Encoding.ASCII.GetString(alpn.ApplicationProtocol.Span);
            var read = await ctx.Transport.Input.ReadAsync();
            while (!read.IsCompleted)
            {
                ctx.Transport.Input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                read = await ctx.Transport.Input.ReadAsync();
            }
            seen = Encoding.Latin1.GetString(System.Buffers.BuffersExtensions.ToArray(read.Buffer));
        })(context);

        Assert.Equal(expected, protocol);
        Assert.Equal(first, seen);
    }

    private sealed class DuplexPipe(PipeReader input) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = new Pipe().Writer;
    }
}
