using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Mesh.Native;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// eBPF capture for the pods of this node. For each enrolled pod: opens the in-pod listeners
/// (15001/15006/15008) inside the pod's network namespace with the safe setns pattern (or takes the ones a
/// predecessor handed over), marks the pod enrolled in the pinned enrolled_pods map, attaches the
/// connect/sockops/getpeername programs to the pod's cgroup and the TC program to the pod's interface, pins
/// each link in the pod's folder (<see cref="CapturePins"/>), and tells the proxy through
/// <see cref="IPodListenerObserver"/>. The pins outlive the process: while no ztunnel runs the pod stays
/// captured and its connections are refused. Unenroll undoes all of it. One writer (calls are serialized);
/// the enrolled set is an immutable snapshot.
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
    private readonly CapturePins _pins;
    private readonly Lock _writer = new();
    private volatile ImmutableDictionary<string, PodAttachment> _pods = ImmutableDictionary<string, PodAttachment>.Empty;
    private Dictionary<string, Dictionary<string, BpfLink>> _adopted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodListenerSockets> _handedIn = new(StringComparer.Ordinal);
    private CapturePrograms? _programs;

    public RedirectionManager(RedirectionOptions options, IPodListenerObserver observer, ILogger<RedirectionManager> logger)
    {
        if (!CapturePins.IsValidInstance(options.Instance))
        {
            throw new RedirectionException($"instance name '{options.Instance}' must be 1-64 of a-z, 0-9, '.', '_', '-' (e.g. the node name)");
        }
        _options = options;
        _observer = observer;
        _logger = logger;
        _routes = new PodInboundRoutes(options);
        _pins = CapturePins.For(options);
        BpfLog.Use(logger);
    }

    public RedirectionOptions Options => _options;

    /// <summary>Where this instance pins its capture.</summary>
    public CapturePins Pins => _pins;

    /// <summary>The pods enrolled now.</summary>
    public IReadOnlyCollection<PodListeners> Enrolled => _pods.Values.Select(p => p.Listeners).ToArray();

    /// <summary>Uids of pods an earlier ztunnel pinned that this one has not enrolled (yet).</summary>
    public IReadOnlyCollection<string> Adopted
    {
        get
        {
            lock (_writer)
            {
                return _adopted.Keys.ToArray();
            }
        }
    }

    /// <summary>
    /// Mounts bpffs if needed, loads the programs on the pinned maps, moves the links an earlier ztunnel pinned to
    /// them (the pods stay captured), and removes what a crashed earlier ztunnel left on <paramref name="knownPods"/>
    /// that are not pinned (a clsact filter, source-address routes).
    /// </summary>
    public void Start(IEnumerable<PodCapture> knownPods)
    {
        lock (_writer)
        {
            if (_programs is not null)
            {
                throw new InvalidOperationException("already started");
            }
            try
            {
                BpfFs.EnsureMounted(_options.BpfFsRoot);
            }
            catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
            {
                throw new RedirectionException($"bpffs is not available at {_options.BpfFsRoot}: {e.Message}", e);
            }
            _programs = CapturePrograms.Load(_options, _pins);
            _adopted = PinnedLinks.Adopt(_pins, _programs, _logger);
            foreach (var pod in knownPods.Where(p => !_adopted.ContainsKey(p.Uid)))
            {
                RemoveStale(pod);
            }
            RedirectionLog.ProgramsLoaded(_logger, _options.BpfDirectory, _options.ZtunnelMark, _pins.Root, _programs.ReusedMaps, _adopted.Count);
        }
    }

    /// <summary>Listeners a predecessor handed over (<see cref="HandOver"/>); the next <see cref="Enroll"/> of each pod uses them.</summary>
    public void AddHandedOver(IEnumerable<PodListenerSockets> listeners)
    {
        lock (_writer)
        {
            foreach (var l in listeners)
            {
                if (_handedIn.Remove(l.Uid, out var old))
                {
                    old.Dispose();
                }
                _handedIn[l.Uid] = l;
            }
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
            var created = new List<BpfLink>();
            _adopted.Remove(pod.Uid, out var adopted);
            adopted ??= new Dictionary<string, BpfLink>(StringComparer.Ordinal);
            PodListeners? listeners = null;
            try
            {
                listeners = TakeHandedOver(pod) ?? OpenListeners(pod);
                programs.EnrolledPods.Update(BpfAddress.ToNetworkOrder(pod.Ip), new MeshEnrolledPod { Flags = MeshPorts.PodEnrolled });
                Directory.CreateDirectory(_pins.PodDir(pod.Uid));
                // TC first (a SYN that finds no listener is reset), then the cgroup programs.
                var links = new List<BpfLink> { Link(adopted, created, pod, CapturePrograms.TcProgramName,
                    () => BpfLink.AttachTcIngress(programs.TcProgram, pod.NetnsPath, _options.PodInterface, _options.TcMode)) };
                foreach (var program in programs.CgroupPrograms)
                {
                    links.Add(Link(adopted, created, pod, program.Name, () => BpfLink.AttachCgroup(program, pod.CgroupPath)));
                }
                var connections = _options.PreserveSourceAddress ? TryPreserveSource(pod) : null;
                listeners = listeners with { SourcePreserved = connections is not null, Connections = connections };
                var attachment = new PodAttachment(listeners, links);
                _pods = _pods.SetItem(pod.Uid, attachment);
                RedirectionLog.Enrolled(_logger, pod.Uid, pod.NetnsPath, pod.CgroupPath, links[0].Kind, _options.PodInterface, links[0].Ifindex, adopted.Count);
                _observer.OnEnrolled(listeners);
                return listeners;
            }
            catch (Exception e) when (e is BpfException or SocketException or IOException or UnauthorizedAccessException)
            {
                // What this call attached goes; what an earlier ztunnel pinned stays (the pod stays captured) for the retry.
                created.Reverse();
                foreach (var link in created)
                {
                    TryDetach(link);
                    link.Dispose();
                }
                if (adopted.Count > 0)
                {
                    _adopted[pod.Uid] = adopted;
                }
                else
                {
                    TryForget(programs, pod.Ip);
                }
                if (listeners is not null)
                {
                    new PodAttachment(listeners, []).Close();
                }
                RedirectionLog.EnrollFailed(_logger, pod.Uid, e.Message);
                throw new RedirectionException($"cannot capture pod {pod.Uid}: {e.Message}", e);
            }
        }
    }

    /// <summary>Stops capturing <paramref name="uid"/>: its next connection goes direct; its pins are removed. False when it was not enrolled.</summary>
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
            attachment.Detach();
            RemovePodPins(uid);
            TryForget(_programs!, attachment.Listeners.Pod.Ip);
            attachment.Close();
            if (attachment.Listeners.SourcePreserved)
            {
                RemoveRoutes(attachment.Listeners.Pod);
            }
            NetNs.Release(attachment.Listeners.Pod.NetnsPath); // its socket-making thread ends
            RedirectionLog.Unenrolled(_logger, uid);
            return true;
        }
    }

    /// <summary>
    /// Releases the pods an earlier ztunnel pinned that this one did not enroll (call once the first plan is carried
    /// out): their programs are detached and their pins removed, and enrolled_pods keeps only the enrolled pods.
    /// Pods in <paramref name="keep"/> (wanted, but their enrollment failed and is retried) keep their pins.
    /// </summary>
    public void ReleaseUnclaimed(IReadOnlySet<string>? keep = null)
    {
        lock (_writer)
        {
            foreach (var (uid, links) in _adopted.Where(a => keep is null || !keep.Contains(a.Key)).ToArray())
            {
                _adopted.Remove(uid);
                foreach (var link in links.Values)
                {
                    TryDetach(link);
                    link.Dispose();
                }
                RemovePodPins(uid);
                RedirectionLog.AdoptedReleased(_logger, uid);
            }
            foreach (var unused in _handedIn.Values)
            {
                unused.Dispose();
            }
            _handedIn.Clear();
            if (_adopted.Count > 0)
            {
                return; // pods being retried keep their enrolled entry
            }
            var enrolled = _pods.Values.Select(p => BpfAddress.ToNetworkOrder(p.Listeners.Pod.Ip)).ToHashSet();
            foreach (var ip in _programs?.EnrolledPods.Keys() ?? [])
            {
                if (!enrolled.Contains(ip))
                {
                    TryForget(_programs!, BpfAddress.FromNetworkOrder(ip));
                }
            }
        }
    }

    /// <summary>
    /// The listeners of every enrolled pod, for a successor ztunnel (the proxy has stopped accepting on them). This
    /// process keeps its copies open until it exits but never closes them itself, so no queued connection is lost.
    /// </summary>
    public IReadOnlyList<PodListeners> HandOver()
    {
        lock (_writer)
        {
            foreach (var attachment in _pods.Values)
            {
                attachment.HandedOver = true;
            }
            return _pods.Values.Select(p => p.Listeners).ToArray();
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

    /// <summary>
    /// Removes all capture of this instance: every pod unenrolled, every pin (also of pods this process never
    /// enrolled) removed, the instance folder deleted. <paramref name="knownPods"/> lose a clsact filter left on them.
    /// </summary>
    public void Uninstall(IEnumerable<PodCapture> knownPods)
    {
        lock (_writer)
        {
            foreach (var uid in _pods.Keys.ToArray())
            {
                Unenroll(uid);
            }
            ReleaseUnclaimed();
            foreach (var ip in _programs?.EnrolledPods.Keys() ?? [])
            {
                TryForget(_programs!, BpfAddress.FromNetworkOrder(ip));
            }
            _programs?.Dispose();
            _programs = null;
            PinnedLinks.RemoveAll(_pins, _options, knownPods);
            RedirectionLog.Uninstalled(_logger, _pins.Root);
        }
    }

    /// <summary>
    /// Removes an instance's capture without loading anything (<c>ztunnel uninstall</c>; no ztunnel of the instance may
    /// run): every pinned link detached, the instance folder removed, and on <paramref name="knownPods"/> a clsact filter
    /// and the source-address routes.
    /// </summary>
    public static void UninstallPins(RedirectionOptions options, IEnumerable<PodCapture> knownPods, ILogger<RedirectionManager> logger)
    {
        var pods = knownPods.ToArray();
        var pins = CapturePins.For(options);
        PinnedLinks.RemoveAll(pins, options, pods);
        var routes = new PodInboundRoutes(options);
        foreach (var pod in pods)
        {
            try
            {
                routes.Remove(pod);
            }
            catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
            {
                RedirectionLog.StaleCleanupFailed(logger, pod.Uid, e.Message);
            }
        }
        RedirectionLog.Uninstalled(logger, pins.Root);
    }

    /// <summary>
    /// Ends this process's hold on capture and leaves the pins: every enrolled pod stays captured (its connections
    /// are refused until a ztunnel of the same instance starts and adopts it). Listeners not handed over close.
    /// </summary>
    public void Dispose()
    {
        lock (_writer)
        {
            foreach (var attachment in _pods.Values)
            {
                attachment.Close();
            }
            _pods = ImmutableDictionary<string, PodAttachment>.Empty;
            foreach (var link in _adopted.Values.SelectMany(l => l.Values))
            {
                link.Dispose();
            }
            _adopted.Clear();
            foreach (var unused in _handedIn.Values)
            {
                unused.Dispose();
            }
            _handedIn.Clear();
            _programs?.Dispose();
            _programs = null;
        }
    }

    /// <summary>The pod's link for <paramref name="program"/>: the adopted one, else a new one, pinned (TCX and cgroup links).</summary>
    private BpfLink Link(Dictionary<string, BpfLink> adopted, List<BpfLink> created, PodCapture pod, string program, Func<BpfLink> attach)
    {
        if (adopted.TryGetValue(program, out var link))
        {
            return link;
        }
        link = attach();
        created.Add(link);
        if (link.Kind != BpfLinkKind.ClsactFilter)
        {
            var path = _pins.PodLink(pod.Uid, program);
            BpfFs.Unpin(path); // a pin whose link could not be opened at start
            link.Pin(path);
        }
        return link;
    }

    private PodListeners? TakeHandedOver(PodCapture pod)
    {
        if (!_handedIn.Remove(pod.Uid, out var sockets))
        {
            return null;
        }
        RedirectionLog.ListenersTakenOver(_logger, pod.Uid);
        return new PodListeners(pod, sockets.Outbound, sockets.Inbound, sockets.Hbone, NetnsCookie(sockets.Outbound));
    }

    private void RemovePodPins(string uid)
    {
        try
        {
            var dir = _pins.PodDir(uid);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException e)
        {
            RedirectionLog.StaleCleanupFailed(_logger, uid, e.Message);
        }
    }

    private void TryDetach(BpfLink link)
    {
        try
        {
            link.Detach();
        }
        catch (BpfException e)
        {
            RedirectionLog.StaleCleanupFailed(_logger, link.PinPath ?? link.Kind.ToString(), e.Message);
        }
    }

    private static void TryForget(CapturePrograms programs, IPAddress ip)
    {
        try
        {
            programs.EnrolledPods.Delete(BpfAddress.ToNetworkOrder(ip));
        }
        catch (BpfException)
        {
            // nothing to forget
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

    /// <summary>
    /// Sets up source preservation in the pod: its routes, and the socket lookup that keeps a dial from the client's
    /// address off the ports of the client's own live connections. On failure logs one warning, undoes what it can,
    /// and returns null.
    /// </summary>
    private TcpSocketLookup? TryPreserveSource(PodCapture pod)
    {
        try
        {
            _routes.Add(pod);
            return TcpSocketLookup.Open(pod.NetnsPath);
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
            return null;
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

    private static bool IsIPv4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6;
}
