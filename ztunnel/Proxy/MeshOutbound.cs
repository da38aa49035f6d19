using System.Net;
using System.Net.Sockets;
using Mesh.Core.Hbone;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Outbound;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// The pod's captured connects (15001): original destination from the BPF map, a plan from the mesh state,
/// then HBONE to the destination's (or waypoint's) 15008 as the pod's identity, or plain TCP to a destination
/// outside the mesh. Failures end the connection with one log line.
/// </summary>
public sealed class MeshOutbound(ProxyInputs inputs)
{
    public async Task RunAsync(PodListeners pod, ConnectionDrain drain, CancellationToken cancellationToken)
    {
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, drain.Accepting);
        await foreach (var client in AcceptLoop.AcceptAsync(pod.Outbound, accepting.Token).ConfigureAwait(false))
        {
            _ = drain.RunAsync(client, ct => HandleAsync(pod, client, ct), cancellationToken);
        }
    }

    private async Task HandleAsync(PodListeners pod, Socket client, CancellationToken cancellationToken)
    {
        using var _ = client;
        var log = inputs.Logger;
        var peer = client.RemoteEndPoint as IPEndPoint;
        IPEndPoint? destination = null;
        if (peer is not null && inputs.Destinations.TryGetOriginalDestination(pod, peer, out var found))
        {
            destination = found;
        }
        var guard = CaptureGuard.CheckOutbound(pod.Pod.Ip, destination);
        if (guard != PassthroughError.None)
        {
            MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, guard, null);
            return;
        }
        var state = inputs.State.Current;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var source))
        {
            MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, "UnknownSource", "the control plane has not sent this pod");
            return;
        }
        var plan = OutboundPlanner.Plan(state, source, OrigDstAddr.From(destination!), Random.Shared);
        switch (plan.Kind)
        {
            case OutboundKind.Hbone:
                await HboneAsync(pod, client, peer!, plan, cancellationToken).ConfigureAwait(false);
                break;
            case OutboundKind.Passthrough:
                await PassthroughAsync(pod, client, peer!, plan, cancellationToken).ConfigureAwait(false);
                break;
            default:
                MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, plan.Failure, null);
                break;
        }
    }

    private async Task HboneAsync(PodListeners pod, Socket client, IPEndPoint peer, OutboundPlan plan, CancellationToken cancellationToken)
    {
        var log = inputs.Logger;
        var destination = plan.OriginalDestination.ToEndPoint();
        HboneCredential credential;
        try
        {
            credential = await inputs.Credentials.GetAsync(plan.SourceIdentity, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, "NoCertificate", e.Message);
            return;
        }
        var dial = plan.Dial!.Value.ToEndPoint();
        var target = IPEndPoint.Parse(plan.Authority!);
        MeshLog.Outbound(log, pod.Pod.Uid, peer, destination, "hbone", dial, plan.SourceIdentity, plan.ExpectedIdentity);
        var request = new HboneConnectRequest(credential, plan.ExpectedIdentity!.Value, dial, target) { SourceAddress = pod.Pod.Ip };
        var result = await inputs.Client.ConnectAsync(request, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            var detail = result.Error == HboneError.Refused ? $"status {result.Status}" : result.Detail;
            MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, result.Error, detail);
            return;
        }
        await using var tunnel = result.Stream!;
        using var metrics = inputs.Metrics.Open(TcpMetricLabels.ForOutbound(plan));
        await StreamRelay.RunAsync(client, tunnel, metrics, socketIsClient: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task PassthroughAsync(PodListeners pod, Socket client, IPEndPoint peer, OutboundPlan plan, CancellationToken cancellationToken)
    {
        var destination = plan.OriginalDestination.ToEndPoint();
        MeshLog.Outbound(inputs.Logger, pod.Pod.Uid, peer, destination, "passthrough", destination, plan.SourceIdentity, null);
        using var upstream = inputs.Sockets.CreateTcp(pod.Pod);
        try
        {
            await upstream.ConnectAsync(plan.Dial!.Value.ToEndPoint(), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            MeshLog.OutboundFailed(inputs.Logger, pod.Pod.Uid, peer, destination, "ConnectFailed", e.SocketErrorCode.ToString());
            return;
        }
        using var metrics = inputs.Metrics.Open(TcpMetricLabels.ForOutbound(plan));
        var (sent, received) = await TcpRelay.RunAsync(client, upstream, cancellationToken).ConfigureAwait(false);
        metrics.AddRequestBytes(sent);
        metrics.AddResponseBytes(received);
    }
}
