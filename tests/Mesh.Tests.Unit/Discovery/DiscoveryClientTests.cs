using System.Buffers;
using System.Text;
using System.Text.Json;
using Mesh.Core.Discovery;
using Mesh.Core.Identity;

namespace Mesh.Tests.Unit.Discovery;

/// <summary>
/// The client's parsing of discovery lines. The malformed lines are what the discovery-lines fuzz target
/// (tests/Mesh.Fuzz) found escaping as KeyNotFoundException, FormatException or InvalidOperationException, which the
/// client's loop did not catch: one bad line from the control plane ended discovery in the proxy.
/// </summary>
public sealed class DiscoveryClientTests
{
    private const string Workload = """{"uid":"demo/a","name":"a","namespace":"demo","serviceAccount":"default","node":"node0","addresses":["198.18.1.2"],"labels":{},"captured":true,"trustDomain":"cluster.local"}""";
    private const string Good = """{"type":"full","epoch":"e1","version":7,"workloads":[""" + Workload + "]}";

    private static DiscoveryClient NewClient() => new(new DiscoveryClientOptions
    {
        ControlPlane = new ControlPlaneClientOptions { Address = new Uri("https://127.0.0.1:15012"), TrustBundleFile = "/nonexistent/bundle.pem" },
    });

    private static void Apply(DiscoveryClient client, byte[] line) => client.Apply(new ReadOnlySequence<byte>(line));

    [Fact]
    public void Apply_FullState_SwapsInItsWorkloads()
    {
        using var client = NewClient();

        Apply(client, Encoding.UTF8.GetBytes(Good));

        Assert.Equal(7, client.Current.Version);
        Assert.Equal("demo/a", Assert.Single(client.Current.Workloads).Uid);
        Assert.Equal("e1", client.Epoch);
    }

    [Fact]
    public void Apply_NewState_StateChangedHandlersRunBeforeReadersSeeIt()
    {
        using var client = NewClient();
        var before = client.State.Current;
        var waiting = client.State.Changed;
        var seenInHandler = new List<(long HandlerVersion, long CurrentVersion, bool Signalled)>();
        client.StateChanged += s => seenInHandler.Add((s.Version, client.State.Current.Version, waiting.IsCompleted));

        Apply(client, Encoding.UTF8.GetBytes(Good));

        // ztunnel takes the trust bundle in a handler: no reader may see the state's workloads before it.
        Assert.Equal((7L, before.Version, false), Assert.Single(seenInHandler));
        Assert.Equal(7, client.State.Current.Version);
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    public static TheoryData<string> MalformedLines => new()
    {
        """{"epoch":"e2","version":8}""",                                                   // no "type": KeyNotFoundException
        """{"type":"full","epoch":"e2","version":8,"workloads":[""" + Workload.Replace("198.18.1.2", "198.18.1.2.3", StringComparison.Ordinal) + "]}", // FormatException
        """{"type":"full","epoch":3,"version":8}""",                                        // a number where a string goes: InvalidOperationException
        """{"type":"delta","epoch":"e2","version":8,"removed":{"workloads":[1]}}""",         // a removed key that is not a string
        "{\"type\":\"full\",\"epoch\":\"\\udc00\",\"version\":8}",                           // a lone surrogate: InvalidOperationException
        """{"type":"full","epoch":"e2","version":8,"workloads":[""" + Workload.Replace(""","addresses":["198.18.1.2"]""", "", StringComparison.Ordinal) + "]}", // no addresses: a default ImmutableArray crashed MeshState.Build
    };

    [Theory]
    [MemberData(nameof(MalformedLines))]
    public void Apply_MalformedLine_ThrowsJsonExceptionAndKeepsTheLastState(string line)
    {
        using var client = NewClient();
        Apply(client, Encoding.UTF8.GetBytes(Good));
        var before = client.Current;

        Assert.Throws<JsonException>(() => Apply(client, Encoding.UTF8.GetBytes(line)));

        Assert.Same(before, client.Current);
        Assert.Equal("e1", client.Epoch);
    }

    [Fact]
    public void Apply_InvalidUtf8InAString_ThrowsJsonException()
    {
        using var client = NewClient();
        // Found by the fuzzer: a string with the octet 0xff passes JsonDocument.Parse but not GetString.
        byte[] line = [.. "{\"type\":\"full\",\"epoch\":\""u8, 0xff, .. "\",\"version\":8}"u8];

        Assert.Throws<JsonException>(() => Apply(client, line));
        Assert.Equal(0, client.Current.Version);
    }
}
