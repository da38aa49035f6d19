using System.Buffers;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Discovery;
using Mesh.Core.Hbone.Hpack;
using Mesh.Core.Hbone.Http2;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Fuzz;

/// <summary>
/// Writes the seeds that are easier to produce than to type: HTTP/2 and HBONE conversations built with the real
/// frame layout and HPACK encoder, RFC 7541 Appendix C blocks, and discovery lines from the control plane's own
/// writer. The CSRs (openssl) and the lab files are checked in as they are.
/// </summary>
internal static class SeedWriter
{
    public static void Write(string root)
    {
        void Put(string target, string name, byte[] bytes)
        {
            Directory.CreateDirectory(Path.Combine(root, target));
            File.WriteAllBytes(Path.Combine(root, target, name), bytes);
        }

        Put("http2-frames", "settings-ping-window.bin", [.. Settings(), .. SettingsAck(), .. Frame(Http2FrameType.Ping, 0, 0, new byte[8]), .. WindowUpdate(0, 65535)]);
        Put("http2-frames", "get-with-body.bin", [.. Settings(), .. Headers(1, Get, endStream: false), .. Frame(Http2FrameType.Data, Http2Flags.Padded, 1, [3, .. "body"u8, 0, 0, 0]), .. Frame(Http2FrameType.Data, Http2Flags.EndStream, 1, "end"u8.ToArray())]);
        Put("http2-frames", "continuation.bin", [.. Settings(), .. HeadersSplit(1, Get)]);
        Put("http2-frames", "reset-priority-goaway.bin", [.. Settings(), .. Headers(1, Get, endStream: false), .. Frame(Http2FrameType.RstStream, 0, 1, [0, 0, 0, 8]), .. Frame(Http2FrameType.Priority, 0, 3, [0, 0, 0, 1, 16]), .. Headers(3, Get, endStream: true), .. Frame(Http2FrameType.GoAway, 0, 0, [0, 0, 0, 3, 0, 0, 0, 0])]);

        Put("hbone-connect", "connect-accept.bin", [.. Settings(), .. Headers(1, Connect("198.18.2.2:8081"), endStream: false), .. Frame(Http2FrameType.Data, Http2Flags.EndStream, 1, "GET / HTTP/1.1\r\n\r\n"u8.ToArray())]);
        Put("hbone-connect", "connect-refused.bin", [.. Settings(), .. Headers(1, Connect("198.18.2.2:8080"), endStream: false)]);
        Put("hbone-connect", "connect-malformed.bin", [.. Settings(), .. Headers(1, [.. Connect("[fd00::1]:8081"), new(":path", "/")], endStream: false), .. Headers(3, Get, endStream: true)]);
        Put("hbone-connect", "connect-two-tunnels.bin", [.. Settings(), .. Headers(1, Connect("198.18.2.2:8081"), endStream: false), .. Headers(3, Connect("198.18.2.3:9001"), endStream: false), .. Frame(Http2FrameType.Data, 0, 3, "ping"u8.ToArray()), .. Frame(Http2FrameType.RstStream, 0, 1, [0, 0, 0, 8]), .. Frame(Http2FrameType.Data, Http2Flags.EndStream, 3, "bye"u8.ToArray())]);

        Put("hpack", "c2-1-literal-indexed.bin", Block("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
        Put("hpack", "c2-2-literal-not-indexed.bin", Block("040c 2f73 616d 706c 652f 7061 7468"));
        Put("hpack", "c2-3-never-indexed.bin", Block("1008 7061 7373 776f 7264 0673 6563 7265 74"));
        Put("hpack", "c2-4-indexed.bin", Block("82"));
        Put("hpack", "c3-requests.bin", Block("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", "8286 84be 5808 6e6f 2d63 6163 6865", "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"));
        Put("hpack", "c4-requests-huffman.bin", Block("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", "8286 84be 5886 a8eb 1064 9cbf", "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"));
        Put("hpack", "c6-responses-huffman.bin", Block(
            "3fe1 01" + // dynamic table size update to 256 (C.5/C.6 run with a 256-octet table)
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
            "4883 640e ffc1 c0bf"));

        var state = new DiscoveryState(new MeshStateHub(), TimeProvider.System, NullLogger<DiscoveryState>.Instance);
        state.Apply(new RegistrySnapshot(1, MeshTranslator.Translate(YamlDocuments.Parse(SeedMesh.Yaml)).State, [], [], DateTimeOffset.UtcNow));
        var first = state.Current!;
        state.Apply(new RegistrySnapshot(2, MeshTranslator.Translate(YamlDocuments.Parse(SeedMesh.Yaml.Replace("app: web", "app: web2", StringComparison.Ordinal).Replace("name: echo-allow", "name: echo-allow-2", StringComparison.Ordinal))).State, [], [], DateTimeOffset.UtcNow));
        var full = new DiscoveryView(null, true);
        var fullLine = Message(state.Current!, full, DeltaPlanner.Plan(state.Current!, state.History, full, null, 0, null));
        var deltaLine = Message(state.Current!, full, DeltaPlanner.Plan(state.Current!, state.History, full, first.Epoch, first.Version, null));
        Put("discovery-lines", "full-then-delta.jsonl", [.. Message(first, full, DeltaPlanner.Plan(first, [], full, null, 0, null)), .. deltaLine]);
        Put("discovery-lines", "full.jsonl", fullLine);
        Put("discovery-lines", "node-view.jsonl", Message(state.Current!, new DiscoveryView("node0", false), DiscoveryPlan.FullState));

        Put("discovery-request", "first.json", "{}"u8.ToArray());
        Put("discovery-request", "resume-live.json", """{"epoch":"live","version":-1}"""u8.ToArray());
        Put("discovery-request", "resume-hashes.json", """{"epoch":"old","version":7,"have":{"workloads":{"demo/client":"00000000deadbeef","gone/pod":"1"},"services":{"demo/echo":"2"}}}"""u8.ToArray());

        Put("registry-yaml", "mesh.yaml", System.Text.Encoding.UTF8.GetBytes(SeedMesh.Yaml));
    }

    private static readonly HeaderField[] Get = [new(":method", "GET"), new(":scheme", "https"), new(":path", "/index.html"), new(":authority", "echo.demo"), new("user-agent", "fuzz")];

    private static HeaderField[] Connect(string authority) => [new(":method", "CONNECT"), new(":authority", authority), new("baggage", "k8s.namespace.name=demo")];

    private static byte[] Message(DiscoverySnapshot snapshot, DiscoveryView view, DiscoveryPlan plan)
    {
        var output = new ArrayBufferWriter<byte>();
        DiscoveryMessageWriter.Write(output, snapshot, view, plan);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Frame(Http2FrameType type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[FrameHeader.Size + payload.Length];
        new FrameHeader(payload.Length, type, flags, streamId).Write(frame);
        payload.CopyTo(frame, FrameHeader.Size);
        return frame;
    }

    private static byte[] Settings() => Frame(Http2FrameType.Settings, 0, 0, [0, 4, 0, 1, 0, 0, 0, 3, 0, 0, 0, 100]); // INITIAL_WINDOW_SIZE 65536, MAX_CONCURRENT 100

    private static byte[] SettingsAck() => Frame(Http2FrameType.Settings, Http2Flags.Ack, 0, []);

    private static byte[] WindowUpdate(int streamId, int increment) => Frame(Http2FrameType.WindowUpdate, 0, streamId, [(byte)(increment >> 24), (byte)(increment >> 16), (byte)(increment >> 8), (byte)increment]);

    private static byte[] Encode(HeaderField[] fields)
    {
        var block = new ArrayBufferWriter<byte>();
        new HpackEncoder().Encode(fields, block);
        return block.WrittenSpan.ToArray();
    }

    private static byte[] Headers(int streamId, HeaderField[] fields, bool endStream) =>
        Frame(Http2FrameType.Headers, (byte)(Http2Flags.EndHeaders | (endStream ? Http2Flags.EndStream : 0)), streamId, Encode(fields));

    private static byte[] HeadersSplit(int streamId, HeaderField[] fields)
    {
        var block = Encode(fields);
        var half = block.Length / 2;
        return [.. Frame(Http2FrameType.Headers, Http2Flags.EndStream, streamId, block[..half]), .. Frame(Http2FrameType.Continuation, Http2Flags.EndHeaders, streamId, block[half..])];
    }

    /// <summary>The hpack target's framing: each block as a 2-octet length and its octets.</summary>
    private static byte[] Block(params string[] hex)
    {
        var output = new List<byte>();
        foreach (var h in hex)
        {
            var bytes = Convert.FromHexString(h.Replace(" ", "", StringComparison.Ordinal));
            output.Add((byte)(bytes.Length >> 8));
            output.Add((byte)bytes.Length);
            output.AddRange(bytes);
        }
        return [.. output];
    }
}
