using System.Buffers;
using System.Text.Json;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Discovery;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Fuzz.Targets;

/// <summary>
/// The control plane's side of a discovery stream: the request body a node sends (<see cref="DiscoveryRequest"/>,
/// parsed as the endpoint does), then the plan for it (<see cref="DeltaPlanner"/>) and the first message written
/// from it, against a small mesh with two versions of history. Only <see cref="JsonException"/> may come out of the
/// parse (the endpoint answers 400); planning and writing must not throw for any request.
/// The epoch "live" stands for the control plane's current epoch, so inputs can reach the history path.
/// </summary>
internal sealed class DiscoveryRequestTarget : IFuzzTarget
{
    private static readonly DiscoveryState State = BuildState();

    public string Name => "discovery-request";

    public void Run(byte[] input)
    {
        DiscoveryRequest request;
        try
        {
            request = JsonSerializer.Deserialize<DiscoveryRequest>(input, DiscoveryJson.Options) ?? new DiscoveryRequest();
        }
        catch (JsonException)
        {
            return;
        }
        var snapshot = State.Current!;
        var epoch = request.Epoch == "live" ? State.Epoch : request.Epoch;
        var version = request.Epoch == "live" ? snapshot.Version + request.Version : request.Version;
        foreach (var view in new[] { new DiscoveryView("node0", false), new DiscoveryView(null, true) })
        {
            var plan = DeltaPlanner.Plan(snapshot, State.History, view, epoch, version, request.Have);
            DiscoveryMessageWriter.Write(new ArrayBufferWriter<byte>(), snapshot, view, plan);
        }
    }

    private static DiscoveryState BuildState()
    {
        var state = new DiscoveryState(new MeshStateHub(), TimeProvider.System, NullLogger<DiscoveryState>.Instance);
        string[] versions = [SeedMesh.Yaml, SeedMesh.Yaml.Replace("app: web", "app: web2", StringComparison.Ordinal)];
        for (var i = 0; i < versions.Length; i++)
        {
            state.Apply(new RegistrySnapshot(i + 1, MeshTranslator.Translate(YamlDocuments.Parse(versions[i])).State, [], [], DateTimeOffset.UtcNow));
        }
        return state;
    }
}
