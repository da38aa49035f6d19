using System.Net;
using System.Net.Sockets;
using Mesh.Ztunnel.Inbound;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Plaintext into an enrolled pod from outside the mesh (15006; the accepted socket's local endpoint is the
/// original destination): L4 policy with no peer identity (STRICT refuses it), then a socket in the pod dials the app from the client's
/// address (<see cref="PodSocketFactory.CreateToApp"/>), bounded by the connect timeout and cancelled when the client
/// leaves. Refused or failed connections are reset (a closed app port looks closed to the client) and reported once as
/// a <see cref="RefusalReason"/>; a carried one gets one line with the policy decision.
/// </summary>
public sealed class PlaintextInbound(ProxyInputs inputs)
{
    public Task RunAsync(PodListeners pod, ConnectionDrain drain, CancellationToken cancellationToken) =>
        AcceptLoop.ServeAsync(pod.Inbound, pod, inputs, drain, (client, ct) => AcceptLoop.CarryOrResetAsync(client, c => ProxyAsync(pod, client, c), ct), cancellationToken);

    private async Task<bool> ProxyAsync(PodListeners pod, Socket client, CancellationToken cancellationToken)
    {
        var peer = client.RemoteEndPoint as IPEndPoint;
        var target = (IPEndPoint)client.LocalEndPoint!;
        if (CaptureGuard.CheckInbound(pod.Pod.Ip, target) is var guard && guard != RefusalReason.None)
        {
            return Refuse(pod, peer, guard, $"plaintext to {target}: ztunnel's own listener");
        }
        var state = inputs.State.Current;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var destination))
        {
            return Refuse(pod, peer, RefusalReason.UnknownPod, $"plaintext to {target}: the control plane has not sent this pod");
        }
        var decision = L4Authorizer.Authorize(state, destination, ConnectionFacts.PlaintextConnection(target.Port),
            MtlsModes.For(destination, inputs.MeshMtlsMode));
        if (!decision.Allowed)
        {
            return Refuse(pod, peer, RefusalReason.PolicyDenied, $"plaintext to {target}: {decision}");
        }
        MeshLog.InboundPlaintext(inputs.Logger, pod.Pod.Uid, peer, target, decision);
        using var app = inputs.Sockets.CreateToApp(pod, peer?.Address, target);
        (RefusalReason Reason, string? Detail) dialed;
        using (var watch = ClientWatch.Start(client, cancellationToken))
        {
            dialed = await Dial.ConnectAsync(app, target, inputs.Limits.ConnectTimeout, watch.Token).ConfigureAwait(false);
        }
        if (dialed.Reason != RefusalReason.None)
        {
            return Refuse(pod, peer, dialed.Reason, $"plaintext to {target}: {dialed.Detail}");
        }
        var source = peer is null ? null : state.WorkloadsByAddress.GetValueOrDefault(peer.Address);
        using var metrics = inputs.Metrics.Open(TcpMetricLabels.ForInbound(destination, null, source, mutualTls: false));
        using var activity = inputs.Idle.Track(cancellationToken);
        var (fromClient, toClient) = await TcpRelay.RunAsync(client, app, activity.Token, activity).ConfigureAwait(false);
        metrics.AddRequestBytes(fromClient);
        metrics.AddResponseBytes(toClient);
        return true;
    }

    /// <summary>Reports the connection refused (once: the metric and the burst-limited line); false: the caller resets it.</summary>
    private bool Refuse(PodListeners pod, IPEndPoint? client, RefusalReason reason, string detail)
    {
        inputs.Refusals.Refused(reason, pod.Pod.Uid, client, detail);
        return false;
    }
}
