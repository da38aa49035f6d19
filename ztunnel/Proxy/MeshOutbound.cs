using System.Net;
using System.Net.Sockets;
using Mesh.Core.Hbone;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Outbound;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// The pod's captured connects (15001): original destination from the BPF map, a plan from the mesh state,
/// then HBONE to the destination's (or waypoint's) 15008 as the pod's identity, or plain TCP to a destination
/// outside the mesh. Every dial is bounded by the connect timeout and cancelled when the client leaves. A failure
/// resets the client's connection (it must not look like an empty but complete answer) with one log line.
/// </summary>
public sealed class MeshOutbound(ProxyInputs inputs, OriginalDestinations destinations)
{
    public Task RunAsync(PodListeners pod, ConnectionDrain drain, CancellationToken cancellationToken) =>
        AcceptLoop.ServeAsync(pod.Outbound, pod, inputs, drain, (client, ct) => AcceptLoop.CarryOrResetAsync(client, c => ProxyAsync(pod, client, c), ct), cancellationToken);

    /// <summary>False when the connection was not carried (the caller resets the client).</summary>
    private async Task<bool> ProxyAsync(PodListeners pod, Socket client, CancellationToken cancellationToken)
    {
        var log = inputs.Logger;
        var peer = client.RemoteEndPoint as IPEndPoint;
        IPEndPoint? destination = null;
        if (peer is not null && destinations.TryGetOriginalDestination(pod, peer, out var found))
        {
            destination = found;
        }
        var guard = CaptureGuard.CheckOutbound(pod.Pod.Ip, destination);
        if (guard != CaptureRefusal.None)
        {
            MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, guard, null);
            return false;
        }
        var state = inputs.State.Current;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var source))
        {
            MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, "UnknownSource", "the control plane has not sent this pod");
            return false;
        }
        var plan = OutboundPlanner.Plan(state, source, OrigDstAddr.From(destination!), Random.Shared, inputs.Outstanding);
        // Counted from the choice to the end, whatever the end: the next choices see this connection at once.
        using var outstanding = inputs.Outstanding.Open(plan.Endpoint);
        switch (plan.Kind)
        {
            case OutboundKind.Hbone:
                return await HboneAsync(pod, client, peer!, plan, cancellationToken).ConfigureAwait(false);
            case OutboundKind.Passthrough:
                return await PassthroughAsync(pod, client, peer!, plan, cancellationToken).ConfigureAwait(false);
            default:
                MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, plan.Failure, null);
                return false;
        }
    }

    private async Task<bool> HboneAsync(PodListeners pod, Socket client, IPEndPoint peer, OutboundPlan plan, CancellationToken cancellationToken)
    {
        var log = inputs.Logger;
        var destination = plan.OriginalDestination.ToEndPoint();
        var dial = plan.Dial!.Value.ToEndPoint();
        var target = IPEndPoint.Parse(plan.Authority!);
        MeshLog.Outbound(log, pod.Pod.Uid, peer, destination, "hbone", dial, plan.SourceIdentity, plan.ExpectedIdentity);
        HboneConnectResult result;
        using (var watch = ClientWatch.Start(client, cancellationToken))
        {
            HboneCredential credential;
            try
            {
                credential = await inputs.Credentials.GetAsync(plan.SourceIdentity, watch.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                inputs.Refusals.Refused(RefusalReason.ClientLeft, pod.Pod.Uid, peer, "while waiting for a certificate");
                return false;
            }
            catch (Exception e)
            {
                MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, "NoCertificate", e.Message);
                return false;
            }
            var request = new HboneConnectRequest(credential, plan.ExpectedIdentity!.Value, dial, target) { SourceAddress = pod.Pod.Ip };
            try
            {
                result = await inputs.Client.ConnectAsync(request, watch.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                inputs.Refusals.Refused(RefusalReason.ClientLeft, pod.Pod.Uid, peer, $"while opening HBONE to {dial}");
                return false;
            }
        }
        if (!result.IsSuccess)
        {
            var detail = result.Error == HboneError.Refused ? $"status {result.Status}" : result.Detail;
            MeshLog.OutboundFailed(log, pod.Pod.Uid, peer, destination, result.Error, detail);
            return false;
        }
        await using var tunnel = result.Stream!;
        using var metrics = inputs.Metrics.Open(TcpMetricLabels.ForOutbound(plan));
        using var activity = inputs.Idle.Track(cancellationToken);
        await StreamRelay.RunAsync(client, tunnel, metrics, socketIsClient: true, activity.Token, activity).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> PassthroughAsync(PodListeners pod, Socket client, IPEndPoint peer, OutboundPlan plan, CancellationToken cancellationToken)
    {
        var destination = plan.OriginalDestination.ToEndPoint();
        MeshLog.Outbound(inputs.Logger, pod.Pod.Uid, peer, destination, "passthrough", destination, plan.SourceIdentity, null);
        using var upstream = inputs.Sockets.CreateTcp(pod.Pod);
        (RefusalReason Reason, string? Detail) dialed;
        using (var watch = ClientWatch.Start(client, cancellationToken))
        {
            dialed = await Dial.ConnectAsync(upstream, plan.Dial!.Value.ToEndPoint(), inputs.Limits.ConnectTimeout, watch.Token).ConfigureAwait(false);
        }
        if (dialed.Reason != RefusalReason.None)
        {
            inputs.Refusals.Refused(dialed.Reason, pod.Pod.Uid, peer, $"dial {destination}: {dialed.Detail}");
            return false;
        }
        using var metrics = inputs.Metrics.Open(TcpMetricLabels.ForOutbound(plan));
        using var activity = inputs.Idle.Track(cancellationToken);
        var (sent, received) = await TcpRelay.RunAsync(client, upstream, activity.Token, activity).ConfigureAwait(false);
        metrics.AddRequestBytes(sent);
        metrics.AddResponseBytes(received);
        return true;
    }
}
