using Mesh.Core.Hbone.Http2;
using Mesh.Tests.Common;

namespace Mesh.Tests.Unit.Hbone.Http2;

/// <summary>What a server connection does to a peer that abuses it: rapid resets, streams beyond the limit, idling.</summary>
public sealed class Http2ConnectionLimitsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task Answer(Http2Stream s)
    {
        s.SendHeaders([new(":status", "200")], endStream: false);
        await s.CopyToAsync(Stream.Null);
    }

    [Fact]
    public async Task RstStream_PeerResetsFasterThanTheBudget_GoAwayEnhanceYourCalmAndClosed()
    {
        var handlers = 0;
        await using var client = await RawHttp2Client.StartAsync(new Http2Options { RapidResetBurst = 50, RapidResetPerSecond = 0 }, s =>
        {
            Interlocked.Increment(ref handlers);
            return Answer(s);
        });
        var attack = new List<byte>();
        for (var id = 1; id < 400; id += 2)
        {
            attack.AddRange(client.ConnectHeaders(id));
            attack.AddRange(RawHttp2Client.RstStream(id, Http2ErrorCode.Cancel));
        }

        await client.WriteAsync([.. attack]);
        var frames = await client.ReadUntilClosedAsync(Patience);

        var goAway = Assert.Single(frames, f => f.Type == Http2FrameType.GoAway);
        Assert.Equal((uint)Http2ErrorCode.EnhanceYourCalm, goAway.Code);
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, client.Server.ConnectionError);
        await client.Server.Completion.WaitAsync(Patience);
    }

    [Fact]
    public async Task RstStream_AttackerStillWriting_ReadsGoAwayThenAClosedNotAResetConnection()
    {
        // A linger far longer than the drain needs: the server closes when it reads the client's FIN, however slow the machine.
        var options = new Http2Options { RapidResetBurst = 50, RapidResetPerSecond = 0, ErrorLinger = Patience };
        await using var client = await RawHttp2Client.StartAsync(options, Answer);
        var attack = new List<byte>();
        for (var id = 1; id < 400; id += 2)
        {
            attack.AddRange(client.ConnectHeaders(id));
            attack.AddRange(RawHttp2Client.RstStream(id, Http2ErrorCode.Cancel));
        }
        // What a peer still writing has in flight when the GOAWAY leaves: bytes the server never parses. Closed with
        // them unread, the server's kernel would answer RST, and a peer busy writing can meet that reset before it
        // reads the GOAWAY (Node's client then reports a closed session with no GOAWAY).
        attack.AddRange(new byte[16 * 1024 * 1024]);

        var writing = Task.Run(async () =>
        {
            await client.WriteAsync([.. attack]);
            client.ShutdownSend();
        });
        var frames = await client.ReadUntilClosedAsync(Patience);
        var writeError = await Record.ExceptionAsync(() => writing.WaitAsync(Patience));

        var goAway = Assert.Single(frames, f => f.Type == Http2FrameType.GoAway);
        Assert.Equal((uint)Http2ErrorCode.EnhanceYourCalm, goAway.Code);
        Assert.Null(writeError); // without the linger: "Connection reset by peer" on the attacker's write
        Assert.Equal("closed", client.Ending);
    }

    [Fact]
    public async Task Headers_BeyondMaxConcurrentStreams_RefusedStreamAndReported()
    {
        var refused = 0;
        var options = new Http2Options { MaxConcurrentStreams = 2, StreamRefused = () => Interlocked.Increment(ref refused) };
        await using var client = await RawHttp2Client.StartAsync(options, Answer);

        await client.WriteAsync([.. client.ConnectHeaders(1), .. client.ConnectHeaders(3), .. client.ConnectHeaders(5), .. client.ConnectHeaders(7), .. client.ConnectHeaders(9)]);
        var frames = await client.ReadUntilClosedAsync(Patience, f => f.Count(x => x.Type == Http2FrameType.RstStream) == 3);

        Assert.Equal([5, 7, 9], frames.Where(f => f.Type == Http2FrameType.RstStream && f.Code == (uint)Http2ErrorCode.RefusedStream).Select(f => f.Stream));
        Assert.Equal(3, refused);
    }

    [Fact]
    public async Task IdleTimeout_NoStreamOpen_ServerSendsGoAwayAndCloses()
    {
        var time = new ManualTimeProvider();
        var options = new Http2Options { IdleTimeout = TimeSpan.FromMinutes(1), TimeProvider = time };
        await using var pair = await Http2Pair.StartAsync(Http2Pair.Echo, serverOptions: options);

        time.Advance(TimeSpan.FromSeconds(30));
        var openAfterHalf = !pair.Server.Completion.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(45));
        await pair.Server.Completion.WaitAsync(Patience);
        // The client reads the GOAWAY on its own loop, which may still be behind the server's close: its end of the
        // stream comes after the GOAWAY, so once the client has completed it has seen the GOAWAY.
        await pair.Client.Completion.WaitAsync(Patience);

        Assert.True(openAfterHalf);
        Assert.True(pair.Server.IdleClosed);
        Assert.True(pair.Client.IsDraining);
    }
}
