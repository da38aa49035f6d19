using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Mesh.Native;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// eBPF capture for the pods of this node. For each enrolled pod: opens the in-pod listeners
/// (15001/15006/15008) inside the pod's network namespace with the safe setns pattern, attaches
/// the connect/sockops/getpeername programs to the pod's cgroup and the TC program to the pod's
/// interface, and tells the proxy through <see cref="IPodListenerObserver"/>. Unenroll undoes all
/// of it. One writer (calls are serialized); the enrolled set is an immutable snapshot.
/// </summary>
public sealed class RedirectionManager : IOriginalDestinations, IDisposable
{
    private const int SolSocket = 1;
    private const int SoNetnsCookie = 71;
    private const int ListenBacklog = 1024;

    private readonly RedirectionOptions _options;
    private readonly IPodListenerObserver _observer;
    private readonly ILogger _logger;
    private readonly PodInboundRoutes _routes;
    private readonly Lock _writer = new();
    private volatile ImmutableDictionary<string, PodAttachment> _pods = ImmutableDictionary<string, PodAttachment>.Empty;
    private CapturePrograms? _programs;

    public RedirectionManager(RedirectionOptions options, IPodListenerObserver observer, ILogger<RedirectionManager> logger)
    {
        _options = options;
        _observer = observer;
        _logger = logger;
        _routes = new PodInboundRoutes(options);
        BpfLog.Use(logger);
    }

    public RedirectionOptions Options => _options;

    /// <summary>The pods enrolled now.</summary>
    public IReadOnlyCollection<PodListeners> Enrolled => _pods.Values.Select(p => p.Listeners).ToArray();

    /// <summary>
    /// Loads the programs and removes what a crashed earlier ztunnel left on <paramref name="knownPods"/>
    /// (clsact filters stay after a crash; cgroup and TCX links and listeners die with the process).
    /// </summary>
    public void Start(IEnumerable<PodCapture> knownPods)
    {
        lock (_writer)
        {
            if (_programs is not null)
            {
                throw new InvalidOperationException("already started");
            }
            foreach (var pod in knownPods)
            {
                RemoveStale(pod);
            }
            _programs = CapturePrograms.Load(_options);
            RedirectionLog.ProgramsLoaded(_logger, _options.BpfDirectory, _options.ZtunnelMark);
        }
    }

    /// <summary>Captures <paramref name="pod"/>'s traffic from its next connection on. Idempotent per uid.</summary>
    public PodListeners Enroll(PodCapture pod)
    {
        lock (_writer)
        {
            var programs = _programs ?? throw new InvalidOperationException("call Start first");
            if (_pods.TryGetValue(pod.Uid, out var existing))
            {
                return existing.Listeners;
            }
            var links = new List<BpfLink>();
            PodListeners? listeners = null;
            try
            {
                listeners = OpenListeners(pod);
                // TC first: a SYN that finds no listener passes; then the cgroup programs.
                var tc = BpfLink.AttachTcIngress(programs.TcProgram, pod.NetnsPath, _options.PodInterface, _options.TcMode);
                links.Add(tc);
                foreach (var program in programs.CgroupPrograms)
                {
                    links.Add(BpfLink.AttachCgroup(program, pod.CgroupPath));
                }
                listeners = listeners with { SourcePreserved = _options.PreserveSourceAddress && TryAddRoutes(pod) };
                var attachment = new PodAttachment(listeners, links);
                _pods = _pods.SetItem(pod.Uid, attachment);
                RedirectionLog.Enrolled(_logger, pod.Uid, pod.NetnsPath, pod.CgroupPath, tc.Kind, _options.PodInterface, tc.Ifindex);
                _observer.OnEnrolled(listeners);
                return listeners;
            }
            catch (Exception e) when (e is BpfException or SocketException)
            {
                links.Reverse();
                new PodAttachment(listeners ?? EmptyListeners(pod), links).Release();
                RedirectionLog.EnrollFailed(_logger, pod.Uid, e.Message);
                throw new RedirectionException($"cannot capture pod {pod.Uid}: {e.Message}", e);
            }
        }
    }

    /// <summary>Stops capturing <paramref name="uid"/>: its next connection goes direct. False when it was not enrolled.</summary>
    public bool Unenroll(string uid)
    {
        lock (_writer)
        {
            if (!_pods.TryGetValue(uid, out var attachment))
            {
                return false;
            }
            _pods = _pods.Remove(uid);
            _observer.OnUnenrolled(attachment.Listeners);
            attachment.Release();
            if (attachment.Listeners.SourcePreserved)
            {
                RemoveRoutes(attachment.Listeners.Pod);
            }
            NetNs.Release(attachment.Listeners.Pod.NetnsPath); // its socket-making thread ends
            RedirectionLog.Unenrolled(_logger, uid);
            return true;
        }
    }

    public bool TryGetOriginalDestination(PodListeners pod, IPEndPoint client, out IPEndPoint originalDestination)
    {
        originalDestination = null!;
        var programs = _programs;
        if (programs is null || !IsIPv4(client.Address))
        {
            return false;
        }
        if (!programs.OrigDstByClient.TryLookup(BpfAddress.ClientKey(pod.NetnsCookie, client), out var dst))
        {
            return false;
        }
        originalDestination = BpfAddress.ToEndPoint(dst);
        return true;
    }

    public void Dispose()
    {
        lock (_writer)
        {
            foreach (var uid in _pods.Keys.ToArray())
            {
                Unenroll(uid);
            }
            _programs?.Dispose();
            _programs = null;
        }
    }

    private void RemoveStale(PodCapture pod)
    {
        try
        {
            if (BpfLink.RemoveStaleTcFilter(pod.NetnsPath, _options.PodInterface))
            {
                RedirectionLog.StaleFilterRemoved(_logger, pod.Uid, _options.PodInterface);
            }
        }
        catch (BpfException e)
        {
            RedirectionLog.StaleCleanupFailed(_logger, pod.Uid, e.Message);
        }
        try
        {
            if (_routes.Remove(pod))
            {
                RedirectionLog.StaleSourceRoutesRemoved(_logger, pod.Uid);
            }
        }
        catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
        {
            RedirectionLog.StaleCleanupFailed(_logger, pod.Uid, e.Message);
        }
    }

    /// <summary>Sets up source preservation in the pod; on failure logs one warning, undoes what it can, and says no.</summary>
    private bool TryAddRoutes(PodCapture pod)
    {
        try
        {
            _routes.Add(pod);
            return true;
        }
        catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
        {
            RedirectionLog.SourceRoutesFailed(_logger, pod.Uid, e.Message);
            try
            {
                _routes.Remove(pod);
            }
            catch (Exception again) when (again is BpfException or IOException or UnauthorizedAccessException)
            {
                // already said why; nothing more to do
            }
            return false;
        }
    }

    private void RemoveRoutes(PodCapture pod)
    {
        if (!File.Exists(pod.NetnsPath))
        {
            return; // the pod is gone, and its routes with it
        }
        try
        {
            _routes.Remove(pod);
        }
        catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
        {
            RedirectionLog.SourceRoutesRemoveFailed(_logger, pod.Uid, e.Message);
        }
    }

    private PodListeners OpenListeners(PodCapture pod)
    {
        var options = new NetNsSocketOptions(Mark: _options.ZtunnelMark, Transparent: true, ReuseAddress: true);
        Socket? outbound = null, inbound = null, hbone = null;
        try
        {
            outbound = Listen(pod, options, IPAddress.Loopback, MeshPorts.Outbound);
            inbound = Listen(pod, options, IPAddress.Any, MeshPorts.Inbound);
            hbone = Listen(pod, options, IPAddress.Any, MeshPorts.Hbone);
            return new PodListeners(pod, outbound, inbound, hbone, NetnsCookie(outbound));
        }
        catch
        {
            outbound?.Dispose();
            inbound?.Dispose();
            hbone?.Dispose();
            throw;
        }
    }

    private static Socket Listen(PodCapture pod, NetNsSocketOptions options, IPAddress address, int port)
    {
        var socket = NetNs.CreateTcpSocket(pod.NetnsPath, options);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(ListenBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static ulong NetnsCookie(Socket socket)
    {
        Span<byte> value = stackalloc byte[sizeof(ulong)];
        socket.GetRawSocketOption(SolSocket, SoNetnsCookie, value);
        return BitConverter.ToUInt64(value);
    }

    private static PodListeners EmptyListeners(PodCapture pod)
    {
        var none = new Socket(SocketType.Stream, ProtocolType.Tcp);
        return new PodListeners(pod, none, none, none, 0);
    }

    private static bool IsIPv4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6;
}
