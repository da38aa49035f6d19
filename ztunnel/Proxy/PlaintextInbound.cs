using System.Net;
using System.Net.Sockets;
using Mesh.Ztunnel.Inbound;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// Plaintext into an enrolled pod from outside the mesh (15006; the accepted socket's local endpoint is the
/// original destination): L4 policy with no peer identity (STRICT refuses it), then a socket in the pod dials the app from the client's
/// address (<see cref="PodSocketFactory.CreateToApp"/>).
/// </summary>
public sealed class PlaintextInbound(ProxyInputs inputs)
{
    public async Task RunAsync(PodListeners pod, ConnectionDrain drain, CancellationToken cancellationToken)
    {
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, drain.Accepting);
        await foreach (var client in AcceptLoop.AcceptAsync(pod.Inbound, accepting.Token).ConfigureAwait(false))
        {
            _ = drain.RunAsync(client, ct => HandleAsync(pod, client, ct), cancellationToken);
        }
    }

    private async Task HandleAsync(PodListeners pod, Socket client, CancellationToken cancellationToken)
    {
        using var _ = client;
        var log = inputs.Logger;
        var peer = client.RemoteEndPoint as IPEndPoint;
        var target = (IPEndPoint)client.LocalEndPoint!;
        if (CaptureGuard.CheckInbound(pod.Pod.Ip, target) is var guard && guard != PassthroughError.None)
        {
            MeshLog.InboundPlaintextFailed(log, pod.Pod.Uid, peer, target, guard == PassthroughError.Loop ? "loop" : "not for this pod");
            return;
        }
        var state = inputs.State.Current;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var destination))
        {
            MeshLog.InboundPlaintextFailed(log, pod.Pod.Uid, peer, target, "the control plane has not sent this pod");
            return;
        }
        var decision = L4Authorizer.Authorize(state, destination, ConnectionFacts.PlaintextConnection(target.Port),
            MtlsModes.For(destination, inputs.MeshMtlsMode));
        MeshLog.InboundPlaintext(log, pod.Pod.Uid, peer, target, decision);
        if (!decision.Allowed)
        {
            return;
        }
        using var app = inputs.Sockets.CreateToApp(pod, peer?.Address);
        try
        {
            await app.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            MeshLog.InboundPlaintextFailed(log, pod.Pod.Uid, peer, target, e.Message);
            return;
        }
        var source = peer is null ? null : state.WorkloadsByAddress.GetValueOrDefault(peer.Address);
        using var metrics = inputs.Metrics.Open(TcpMetricLabels.ForInbound(destination, null, source, mutualTls: false));
        var (fromClient, toClient) = await TcpRelay.RunAsync(client, app, cancellationToken).ConfigureAwait(false);
        metrics.AddRequestBytes(fromClient);
        metrics.AddResponseBytes(toClient);
    }
}
