using System.Buffers;
using System.Text.Json;
using Mesh.Core.Discovery;
using Mesh.Core.Identity;

namespace Mesh.Fuzz.Targets;

/// <summary>
/// A proxy's parsing of the discovery stream (<see cref="DiscoveryClient"/>.Apply): the input is the JSON-lines
/// response body, one message per '\n'. A malformed line must fail with <see cref="JsonException"/> (the client
/// then keeps its last state and reconnects); any other exception would end the client's loop.
/// </summary>
internal sealed class DiscoveryLinesTarget : IFuzzTarget
{
    private static readonly DiscoveryClientOptions Options = new()
    {
        ControlPlane = new ControlPlaneClientOptions { Address = new Uri("https://127.0.0.1:15012"), TrustBundleFile = "/nonexistent/trust-bundle.pem" },
    };

    public string Name => "discovery-lines";

    public void Run(byte[] input)
    {
        using var client = new DiscoveryClient(Options);
        var rest = new ReadOnlySequence<byte>(input);
        while (rest.PositionOf((byte)'\n') is { } end)
        {
            try
            {
                client.Apply(rest.Slice(0, end));
            }
            catch (JsonException)
            {
                return; // the client drops the stream here and reconnects
            }
            rest = rest.Slice(rest.GetPosition(1, end));
        }
    }
}
