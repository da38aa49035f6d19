using Mesh.Core.Hbone.Http2;

namespace Mesh.Fuzz.Targets;

/// <summary>
/// The HTTP/2 frame reader and dispatch of a server connection (<see cref="Http2Connection"/>): preface, SETTINGS,
/// HEADERS/CONTINUATION, DATA with padding and flow control, PING, RST_STREAM, GOAWAY, WINDOW_UPDATE, PRIORITY.
/// Each stream is answered 200 and its request body echoed back, so windows move both ways.
/// A protocol error is a GOAWAY (a value here); an exception escaping, a hang or a runaway allocation is a finding.
/// </summary>
internal sealed class Http2FramesTarget : IFuzzTarget
{
    public string Name => "http2-frames";

    public void Run(byte[] input)
    {
        var harness = new Http2Harness();
        var transport = harness.Transport(input);
        var connection = Http2Connection.CreateServer(transport, Http2Harness.Options, stream => EchoAsync(harness, stream));
        harness.Wait(ServeAsync(connection), Name);
    }

    private static async Task ServeAsync(Http2Connection connection)
    {
        await using (connection)
        {
            try
            {
                await connection.StartAsync(CancellationToken.None);
            }
            catch (IOException)
            {
                return; // closed before SETTINGS
            }
            await connection.Completion;
        }
    }

    private static async Task EchoAsync(Http2Harness harness, Http2Stream stream)
    {
        harness.Started();
        try
        {
            stream.SendHeaders([new(":status", "200")], endStream: false);
            harness.Answered();
            var buffer = new byte[4096];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n));
            }
            stream.CompleteWrites();
        }
        catch (IOException)
        {
            // the stream was reset or the connection closed: the expected end of most fuzz inputs
        }
        finally
        {
            harness.Finished();
        }
    }
}
