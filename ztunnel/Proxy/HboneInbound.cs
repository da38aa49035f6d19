using System.Net;
using System.Net.Sockets;
using Mesh.Core.Model;
using Mesh.Core.Hbone;
using Mesh.Ztunnel.Inbound;
using Mesh.Ztunnel.Limits;
using Mesh.Ztunnel.Metrics;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Ztunnel.Proxy;

/// <summary>
/// HBONE into the pod (15008): mutual TLS as the pod's identity, then per CONNECT: the target must be this pod,
/// L4 policy decides on the peer's verified identity, and a socket in the pod's namespace dials the app from the
/// HBONE peer's address (<see cref="PodSocketFactory.CreateToApp"/>).
/// A refusal answers 400/403/503 and is reported once as a <see cref="RefusalReason"/> (metric label, burst-limited line). Bounds: the pod's connection budget at accept,
/// the peer identity's after TLS (<see cref="HboneAdmission"/>) and per tunnel; a CONNECT the client reset before
/// the dial opens nothing, and a reset during the dial cancels it.
/// </summary>
public sealed class HboneInbound(ProxyInputs inputs)
{
    public Task RunAsync(PodListeners pod, ConnectionDrain drain, CancellationToken cancellationToken) =>
        AcceptLoop.ServeAsync(pod.Hbone, pod, inputs, drain, (socket, ct) => ServeAsync(pod, socket, ct), cancellationToken);

    private async Task ServeAsync(PodListeners pod, Socket socket, CancellationToken cancellationToken)
    {
        var remote = socket.RemoteEndPoint;
        var error = await inputs.Server.ServeAsync(socket, ct => CredentialAsync(pod, ct),
            (request, ct) => HandleAsync(pod, request, ct), cancellationToken, AdmitPeer).ConfigureAwait(false);
        // Refused before a tunnel (limits, TLS, no certificate) or ended abnormally (rapid reset): reported once.
        var refusal = HboneRefusals.Reason(error);
        if (refusal != RefusalReason.None)
        {
            inputs.Refusals.Refused(refusal, pod.Pod.Uid, remote, "HBONE connection");
        }
    }

    /// <summary>The peer's HBONE connection counts against its identity's budget (the pod's was taken at accept).</summary>
    private IDisposable? AdmitPeer(Core.Identity.SpiffeId peer) => inputs.Budget.TryAcquire(null, peer, out _);

    /// <summary>The pod's certificate: the cached one, or the one being issued right now (just after a start).</summary>
    private ValueTask<HboneCredential> CredentialAsync(PodListeners pod, CancellationToken cancellationToken)
    {
        var state = inputs.State.Current;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var workload))
        {
            throw new InvalidOperationException($"pod {pod.Pod.Uid} is not known to the control plane yet");
        }
        return inputs.Credentials.TryGetCached(workload.Identity) is { } cached
            ? ValueTask.FromResult(cached)
            : inputs.Credentials.GetAsync(workload.Identity, cancellationToken);
    }

    private async Task HandleAsync(PodListeners pod, HboneInboundRequest request, CancellationToken cancellationToken)
    {
        var state = inputs.State.Current;
        var peer = request.PeerIdentity;
        var target = request.Target;
        if (!state.WorkloadsByUid.TryGetValue(pod.Pod.Uid, out var destination))
        {
            Refuse(pod, request, 503, RefusalReason.UnknownPod, "the control plane has not sent this pod");
            return;
        }
        if (!destination.Addresses.Contains(target.Address) && !pod.Pod.Ip.Equals(target.Address))
        {
            Refuse(pod, request, 400, RefusalReason.NotThisPod, "the target is not this pod");
            return;
        }
        var decision = L4Authorizer.Authorize(state, destination, ConnectionFacts.MutualTls(peer, target.Port),
            MtlsModes.For(destination, inputs.MeshMtlsMode));
        if (!decision.Allowed)
        {
            Refuse(pod, request, 403, RefusalReason.PolicyDenied, decision.ToString());
            return;
        }
        using var lease = inputs.Budget.TryAcquire(pod.Pod.Uid, peer, out var refused);
        if (lease is null)
        {
            inputs.Refusals.Refused(refused, pod.Pod.Uid, request.RemoteEndPoint, $"CONNECT {target} from {peer}");
            request.Refuse(503);
            return;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return; // the client reset the CONNECT already: no app connection for it
        }
        // The app sees the HBONE peer's address: the source pod's (its ztunnel dials from inside the source pod).
        var client = (request.RemoteEndPoint as IPEndPoint)?.Address;
        using var app = inputs.Sockets.CreateToApp(pod, client, target);
        var (reason, detail) = await Dial.ConnectAsync(app, target, inputs.Limits.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (reason != RefusalReason.None)
        {
            inputs.Refusals.Refused(reason, pod.Pod.Uid, request.RemoteEndPoint, $"CONNECT {target} from {peer}: {detail}");
            if (reason != RefusalReason.ClientLeft)
            {
                request.Refuse(503); // logged once per burst above: a flood to a closed port must not flood the log
            }
            return;
        }
        MeshLog.InboundTunnel(inputs.Logger, pod.Pod.Uid, peer, target, decision);
        var tunnel = request.Accept();
        var source = request.RemoteEndPoint is IPEndPoint remote ? state.WorkloadsByAddress.GetValueOrDefault(remote.Address) : null;
        using var metrics = inputs.Metrics.Open(TcpMetricLabels.ForInbound(destination, peer, source, mutualTls: true));
        using var activity = inputs.Idle.Track(cancellationToken);
        await StreamRelay.RunAsync(app, tunnel, metrics, socketIsClient: false, activity.Token, activity).ConfigureAwait(false);
    }

    /// <summary>Answers <paramref name="status"/> and reports the refusal once (metric label, burst-limited line).</summary>
    private void Refuse(PodListeners pod, HboneInboundRequest request, int status, RefusalReason reason, string detail)
    {
        inputs.Refusals.Refused(reason, pod.Pod.Uid, request.RemoteEndPoint, $"CONNECT {request.Target} from {request.PeerIdentity}: {status}, {detail}");
        request.Refuse(status);
    }
}
