using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Core.Hbone;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Outbound;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// The pod's captured connects (15001): original destination from the BPF map (an <see cref="IPEndPoint"/>, converted
/// once there), a plan from the mesh state, then HBONE to the destination's (or waypoint's) 15008 as the pod's identity,
/// or plain TCP to a destination outside the mesh. Every dial is bounded by the connect timeout and cancelled when the
/// client leaves. A connection not carried is reset (it must not look like an empty but complete answer) and reported
/// once as a <see cref="RefusalReason"/> (<see cref="RefusalReporter"/>: one metric label, one log line per burst).
/// </summary>
public sealed class MeshOutbound(ProxyInputs inputs, OriginalDestinations destinations)
{
    public Task RunAsync(PodListeners pod, ConnectionDrain drain, CancellationToken cancellationToken) =>
        AcceptLoop.ServeAsync(pod.Outbound, pod, inputs, drain, (client, ct) => AcceptLoop.CarryOrResetAsync(client, c => ProxyAsync(pod, client, c), ct), cancellationToken);

    /// <summary>False when the connection was not carried (the caller resets the client).</summary>
    private async Task<bool> ProxyAsync(PodListeners pod, Socket client, CancellationToken cancellationToken)
    {
        var peer = client.RemoteEndPoint as IPEndPoint;
        var destination = peer is null ? null : destinations.Find(pod, peer);
        var guard = CaptureGuard.CheckOutbound(pod.Pod.Ip, destination);
        if (guard != RefusalReason.None)
        {
            return Refuse(pod, peer, guard, destination is null ? "outbound: no original destination in the capture map" : $"outbound to {destination}: ztunnel's own listener");
        }
        var state = inputs.State.Current;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var source))
        {
            return Refuse(pod, peer, RefusalReason.UnknownPod, $"outbound to {destination}: the control plane has not sent this pod");
        }
        return OutboundPlanner.Plan(state, source, destination!, Random.Shared, inputs.Outstanding) switch
        {
            OutboundPlan.Hbone hbone => await HboneAsync(pod, client, peer!, hbone, cancellationToken).ConfigureAwait(false),
            OutboundPlan.Passthrough passthrough => await PassthroughAsync(pod, client, peer!, passthrough, cancellationToken).ConfigureAwait(false),
            OutboundPlan.Refused refused => Refuse(pod, peer, refused.Reason, $"outbound to {refused.OriginalDestination}: {refused.Detail}"),
            _ => throw new UnreachableException(),
        };
    }

    private async Task<bool> HboneAsync(PodListeners pod, Socket client, IPEndPoint peer, OutboundPlan.Hbone plan, CancellationToken cancellationToken)
    {
        // Counted from the choice to the end, whatever the end: the next choices see this connection at once.
        using var outstanding = inputs.Outstanding.Open(plan.Endpoint);
        MeshLog.Outbound(inputs.Logger, pod.Pod.Uid, peer, plan.OriginalDestination, "hbone", plan.Dial, plan.SourceIdentity, plan.ExpectedIdentity);
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
                return Refuse(pod, peer, RefusalReason.ClientLeft, $"outbound to {plan.OriginalDestination}: while waiting for a certificate");
            }
            catch (Exception e)
            {
                return Refuse(pod, peer, RefusalReason.NoCertificate, $"outbound to {plan.OriginalDestination} as {plan.SourceIdentity}: {e.Message}");
            }
            var request = new HboneConnectRequest(credential, plan.ExpectedIdentity, plan.Dial, plan.Target) { SourceAddress = pod.Pod.Ip };
            try
            {
                result = await inputs.Client.ConnectAsync(request, watch.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Refuse(pod, peer, RefusalReason.ClientLeft, $"outbound to {plan.OriginalDestination}: while opening HBONE to {plan.Dial}");
            }
        }
        if (!result.IsSuccess)
        {
            return Refuse(pod, peer, HboneRefusals.Reason(result.Error),
                $"outbound to {plan.OriginalDestination}: HBONE to {plan.Dial} ({plan.ExpectedIdentity}) for {plan.Target}: {HboneRefusals.Detail(result)}");
        }
        await using var tunnel = result.Stream!;
        using var metrics = inputs.Metrics.Open(OutboundLabels.For(plan));
        using var activity = inputs.Idle.Track(cancellationToken);
        await StreamRelay.RunAsync(client, tunnel, metrics, socketIsClient: true, activity.Token, activity).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> PassthroughAsync(PodListeners pod, Socket client, IPEndPoint peer, OutboundPlan.Passthrough plan, CancellationToken cancellationToken)
    {
        using var outstanding = inputs.Outstanding.Open(plan.Endpoint);
        MeshLog.Outbound(inputs.Logger, pod.Pod.Uid, peer, plan.OriginalDestination, "passthrough", plan.Dial, plan.SourceIdentity, null);
        using var upstream = inputs.Sockets.CreateTcp(pod.Pod);
        (RefusalReason Reason, string? Detail) dialed;
        using (var watch = ClientWatch.Start(client, cancellationToken))
        {
            dialed = await Dial.ConnectAsync(upstream, plan.Dial, inputs.Limits.ConnectTimeout, watch.Token).ConfigureAwait(false);
        }
        if (dialed.Reason != RefusalReason.None)
        {
            return Refuse(pod, peer, dialed.Reason, $"outbound to {plan.OriginalDestination}: dial {plan.Dial}: {dialed.Detail}");
        }
        using var metrics = inputs.Metrics.Open(OutboundLabels.For(plan));
        using var activity = inputs.Idle.Track(cancellationToken);
        var (sent, received) = await TcpRelay.RunAsync(client, upstream, activity.Token, activity).ConfigureAwait(false);
        metrics.AddRequestBytes(sent);
        metrics.AddResponseBytes(received);
        return true;
    }

    /// <summary>Reports the connection refused (once: the metric and the burst-limited line); false: the caller resets it.</summary>
    private bool Refuse(PodListeners pod, IPEndPoint? client, RefusalReason reason, string detail)
    {
        inputs.Refusals.Refused(reason, pod.Pod.Uid, client, detail);
        return false;
    }
}
