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
/// leaves. Refused or failed connections are reset (a closed app port looks closed to the client).
/// </summary>
public sealed class PlaintextInbound(ProxyInputs inputs)
{
    public Task RunAsync(PodListeners pod, ConnectionDrain drain, CancellationToken cancellationToken) =>
        AcceptLoop.ServeAsync(pod.Inbound, pod, inputs, drain, (client, ct) => AcceptLoop.CarryOrResetAsync(client, c => ProxyAsync(pod, client, c), ct), cancellationToken);

    private async Task<bool> ProxyAsync(PodListeners pod, Socket client, CancellationToken cancellationToken)
    {
        var log = inputs.Logger;
        var peer = client.RemoteEndPoint as IPEndPoint;
        var target = (IPEndPoint)client.LocalEndPoint!;
        if (CaptureGuard.CheckInbound(pod.Pod.Ip, target) is var guard && guard != CaptureRefusal.None)
        {
            MeshLog.InboundPlaintextFailed(log, pod.Pod.Uid, peer, target, guard == CaptureRefusal.Loop ? "loop" : "not for this pod");
            return false;
        }
        var state = inputs.State.Current;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var destination))
        {
            MeshLog.InboundPlaintextFailed(log, pod.Pod.Uid, peer, target, "the control plane has not sent this pod");
            return false;
        }
        var decision = L4Authorizer.Authorize(state, destination, ConnectionFacts.PlaintextConnection(target.Port),
            MtlsModes.For(destination, inputs.MeshMtlsMode));
        MeshLog.InboundPlaintext(log, pod.Pod.Uid, peer, target, decision);
        if (!decision.Allowed)
        {
            return false;
        }
        using var app = inputs.Sockets.CreateToApp(pod, peer?.Address, target);
        (RefusalReason Reason, string? Detail) dialed;
        using (var watch = ClientWatch.Start(client, cancellationToken))
        {
            dialed = await Dial.ConnectAsync(app, target, inputs.Limits.ConnectTimeout, watch.Token).ConfigureAwait(false);
        }
        if (dialed.Reason != RefusalReason.None)
        {
            inputs.Refusals.Refused(dialed.Reason, pod.Pod.Uid, peer, $"plaintext to {target}: {dialed.Detail}");
            return false;
        }
        var source = peer is null ? null : state.WorkloadsByAddress.GetValueOrDefault(peer.Address);
        using var metrics = inputs.Metrics.Open(TcpMetricLabels.ForInbound(destination, null, source, mutualTls: false));
        using var activity = inputs.Idle.Track(cancellationToken);
        var (fromClient, toClient) = await TcpRelay.RunAsync(client, app, activity.Token, activity).ConfigureAwait(false);
        metrics.AddRequestBytes(fromClient);
        metrics.AddResponseBytes(toClient);
        return true;
    }
}
