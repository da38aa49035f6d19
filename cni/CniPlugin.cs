using System.Text.Json;
using Mesh.Core.NodeAgent;

namespace Mesh.Cni;

/// <summary>
/// mesh-cni, a chained CNI plugin (spec 1.0): ADD hands the pod to the node's ztunnel and returns the previous result
/// unchanged only once ztunnel answers captured or not-captured; anything else fails ADD (the kubelet retries), so a
/// pod of an enrolled namespace never runs uncaptured. When ztunnel cannot be reached, the last namespace enrollment
/// it wrote next to its socket lets pods of namespaces that are not enrolled start. CHECK asks ztunnel whether the
/// pod is as it should be. DEL tells ztunnel when it can and always succeeds.
/// </summary>
public static class CniPlugin
{
    /// <summary>DEL does not wait longer than this for ztunnel (it succeeds either way).</summary>
    private static readonly TimeSpan DelTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Runs one call; writes the answer to <paramref name="stdout"/> and returns the exit code.</summary>
    public static int Run(Func<string, string?> env, ReadOnlySpan<byte> stdin, Stream stdout)
    {
        var version = "1.0.0";
        try
        {
            var invocation = CniInvocation.Parse(env);
            if (invocation.Command == CniInvocation.Version)
            {
                CniOutput.WriteVersion(stdout);
                return 0;
            }
            if (invocation.Command == CniInvocation.Del)
            {
                Del(invocation, stdin);
                return 0;
            }
            using var config = CniConfig.Parse(stdin);
            version = config.CniVersion;
            var prev = config.PrevResult
                ?? throw new CniException(CniException.InvalidConfig, $"no prevResult in the configuration of '{config.Name}': mesh-cni is a chained plugin; list it after the cluster's network plugin in the conflist");
            if (!File.Exists(invocation.Netns))
            {
                throw new CniException(CniException.UnknownContainer, $"network namespace {invocation.Netns} (CNI_NETNS) does not exist");
            }
            var request = new CniPodRequest
            {
                Command = invocation.Command == CniInvocation.Add ? NodeAgentWire.Add : NodeAgentWire.Check,
                Uid = invocation.PodUid!,
                Namespace = invocation.PodNamespace!,
                Name = invocation.PodName!,
                NetnsPath = invocation.Netns!,
                ContainerId = invocation.ContainerId,
                Ips = [.. config.PrevResultIps()],
            };
            Decide(config, request);
            if (invocation.Command == CniInvocation.Add)
            {
                CniOutput.WriteResult(stdout, prev, config.CniVersion);
            }
            return 0;
        }
        catch (CniException e)
        {
            CniOutput.WriteError(stdout, version, e);
            return 1;
        }
    }

    /// <summary>Returns when the pod may start (captured, or not to be captured); throws a CNI error otherwise.</summary>
    private static void Decide(CniConfig config, CniPodRequest request)
    {
        var pod = $"{request.Namespace}/{request.Name}";
        CniPodAnswer answer;
        try
        {
            answer = NodeAgentClient.Send(config.NodeAgentSocket, request, config.Timeout);
        }
        catch (NodeAgentUnreachableException e)
        {
            switch (LastKnownEnrollment(config.NodeAgentSocket, request.Namespace))
            {
                case false:
                    return; // a namespace that is not enrolled: its pods start without ztunnel
                case true:
                    throw new CniException(CniException.TryAgainLater, $"pod {pod} of enrolled namespace {request.Namespace} is not started uncaptured: {e.Message}; it is retried once ztunnel is back");
                default:
                    throw new CniException(CniException.TryAgainLater, $"pod {pod} is not started: {e.Message}, and whether namespace {request.Namespace} is enrolled is not known here; it is retried once ztunnel is back");
            }
        }
        switch (answer.Outcome)
        {
            case NodeAgentWire.Captured:
            case NodeAgentWire.NotCaptured:
                return;
            case NodeAgentWire.Error:
                throw new CniException(CniException.TryAgainLater, $"ztunnel did not capture pod {pod}: {answer.Message}");
            default:
                throw new CniException(CniException.TryAgainLater, $"ztunnel answered '{answer.Outcome}' for pod {pod}: {answer.Message}");
        }
    }

    /// <summary>What ztunnel last wrote about <paramref name="ns"/>: true enrolled, false not, null unknown (no file, not listed, unreadable).</summary>
    private static bool? LastKnownEnrollment(string socket, string ns)
    {
        try
        {
            var bytes = File.ReadAllBytes(NodeAgentWire.EnrollmentFile(socket));
            var e = JsonSerializer.Deserialize(bytes, NodeAgentJson.Default.NamespaceEnrollment);
            return e is not null && e.Namespaces.TryGetValue(ns, out var enrolled) ? enrolled : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>DEL: tell ztunnel when the config and args allow; never fails (idempotent, ztunnel may be down).</summary>
    private static void Del(CniInvocation invocation, ReadOnlySpan<byte> stdin)
    {
        if (invocation.PodUid is null || invocation.PodNamespace is null || invocation.PodName is null)
        {
            return;
        }
        try
        {
            using var config = CniConfig.Parse(stdin);
            NodeAgentClient.Send(config.NodeAgentSocket, new CniPodRequest
            {
                Command = NodeAgentWire.Del,
                Uid = invocation.PodUid,
                Namespace = invocation.PodNamespace,
                Name = invocation.PodName,
                NetnsPath = invocation.Netns ?? "",
                ContainerId = invocation.ContainerId,
            }, config.Timeout < DelTimeout ? config.Timeout : DelTimeout);
        }
        catch (Exception e) when (e is CniException or NodeAgentUnreachableException)
        {
            // ztunnel forgets the pod by itself when its netns is gone
        }
    }
}
