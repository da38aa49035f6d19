using System.Net;
using System.Net.Sockets;
using Mesh.Core.Model;
using Mesh.Core.Hbone;
using Mesh.Ztunnel.Inbound;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// HBONE into the pod (15008): mutual TLS as the pod's identity, then per CONNECT: the target must be this pod,
/// L4 policy decides on the peer's verified identity, and a socket in the pod's namespace dials the app from the
/// HBONE peer's address (<see cref="PodSocketFactory.CreateToApp"/>).
/// A refusal answers 400/403/503 and logs one line with the reason.
/// </summary>
public sealed class HboneInbound(ProxyInputs inputs)
{
    public async Task RunAsync(PodListeners pod, ConnectionDrain drain, CancellationToken cancellationToken)
    {
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, drain.Accepting);
        await foreach (var socket in AcceptLoop.AcceptAsync(pod.Hbone, accepting.Token).ConfigureAwait(false))
        {
            _ = drain.RunAsync(socket, ct => ServeAsync(pod, socket, ct), cancellationToken);
        }
    }

    private async Task ServeAsync(PodListeners pod, Socket socket, CancellationToken cancellationToken)
    {
        var remote = socket.RemoteEndPoint;
        var error = await inputs.Server.ServeAsync(socket, () => Credential(pod),
            (request, ct) => HandleAsync(pod, request, ct), cancellationToken).ConfigureAwait(false);
        if (error != HboneError.None)
        {
            MeshLog.HboneConnectionFailed(inputs.Logger, pod.Pod.Uid, remote, error);
        }
    }

    private HboneCredential Credential(PodListeners pod)
    {
        var state = inputs.State.Current;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var workload))
        {
            throw new InvalidOperationException($"pod {pod.Pod.Uid} is not known to the control plane yet");
        }
        return inputs.Credentials.TryGetCached(workload.Identity)
            ?? throw new InvalidOperationException($"no certificate for {workload.Identity} yet");
    }

    private async Task HandleAsync(PodListeners pod, HboneInboundRequest request, CancellationToken cancellationToken)
    {
        var state = inputs.State.Current;
        var peer = request.PeerIdentity;
        var target = request.Target;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var destination))
        {
            Refuse(pod, request, 503, "the control plane has not sent this pod");
            return;
        }
        if (!destination.Addresses.Contains(target.Address) && !pod.Pod.Ip.Equals(target.Address))
        {
            Refuse(pod, request, 400, $"target {target} is not this pod");
            return;
        }
        var decision = L4Authorizer.Authorize(state, destination, ConnectionFacts.MutualTls(peer, target.Port),
            MtlsModes.For(destination, inputs.MeshMtlsMode));
        if (!decision.Allowed)
        {
            Refuse(pod, request, 403, decision.ToString());
            return;
        }
        // The app sees the HBONE peer's address: the source pod's (its ztunnel dials from inside the source pod).
        var client = (request.RemoteEndPoint as IPEndPoint)?.Address;
        using var app = inputs.Sockets.CreateToApp(pod, client);
        try
        {
            await app.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            Refuse(pod, request, 503, $"the app refused: {e.SocketErrorCode}");
            return;
        }
        MeshLog.InboundTunnel(inputs.Logger, pod.Pod.Uid, peer, target, decision);
        var tunnel = request.Accept();
        var source = request.RemoteEndPoint is IPEndPoint remote ? state.WorkloadsByAddress.GetValueOrDefault(remote.Address) : null;
        using var metrics = inputs.Metrics.Open(TcpMetricLabels.ForInbound(destination, peer, source, mutualTls: true));
        await StreamRelay.RunAsync(app, tunnel, metrics, socketIsClient: false, cancellationToken).ConfigureAwait(false);
    }

    private void Refuse(PodListeners pod, HboneInboundRequest request, int status, string reason)
    {
        MeshLog.InboundRefused(inputs.Logger, pod.Pod.Uid, request.PeerIdentity, request.Target, status, reason);
        request.Refuse(status);
    }
}
