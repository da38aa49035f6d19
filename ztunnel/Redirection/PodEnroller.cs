using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Mesh.Native;
using Mesh.Native.Bpf;
using Mesh.Native.Net;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// Attaches the loaded capture (<see cref="LoadedCapture"/>) to the pods of this node. For each enrolled pod: opens
/// the in-pod listeners (15001/15006/15008) inside the pod's network namespace (or takes the ones a predecessor
/// handed over), marks the pod enrolled in the pinned enrolled_pods map, attaches the connect/sockops/getpeername
/// programs to the pod's cgroup and the TC program to the pod's interface, pins each link in the pod's folder
/// (<see cref="CapturePins"/>), sets up source preservation, and tells the proxy through
/// <see cref="IPodListenerObserver"/>. The pins outlive the process: while no ztunnel runs the pod stays captured and
/// its connections are refused. Unenroll undoes all of it. One writer (calls are serialized); the enrolled set is an
/// immutable snapshot.
/// </summary>
public sealed class PodEnroller : IDisposable
{
    private readonly LoadedCapture _capture;
    private readonly CapturePrograms _programs;
    private readonly RedirectionOptions _options;
    private readonly IPodListenerObserver _observer;
    private readonly ILogger _logger;
    private readonly SourcePreservation _source;
    private readonly Lock _writer = new();
    private volatile ImmutableDictionary<string, PodAttachment> _pods = ImmutableDictionary<string, PodAttachment>.Empty;
    private readonly AdoptedLinks _adopted;
    private readonly Dictionary<string, PodListenerSockets> _handedIn = new(StringComparer.Ordinal);
    private bool _started;
    private bool _uninstalled;

    public PodEnroller(LoadedCapture capture, IPodListenerObserver observer, ILogger<PodEnroller> logger)
    {
        _capture = capture;
        _programs = capture.Programs;
        _options = capture.Options;
        _observer = observer;
        _logger = logger;
        _source = new SourcePreservation(_options, logger);
        _adopted = new AdoptedLinks(capture.Pins, logger);
    }

    /// <summary>The pods enrolled now.</summary>
    public IReadOnlyCollection<PodListeners> Enrolled => _pods.Values.Select(p => p.Listeners).ToArray();

    /// <summary>Uids of pods an earlier ztunnel pinned that this one has not enrolled (yet).</summary>
    public IReadOnlyCollection<string> Adopted
    {
        get
        {
            lock (_writer)
            {
                return _adopted.Uids;
            }
        }
    }

    /// <summary>
    /// Moves the links an earlier ztunnel pinned to the loaded programs (the pods stay captured), and removes what a
    /// crashed earlier ztunnel left on <paramref name="knownPods"/> that are not pinned (a clsact filter,
    /// source-address routes).
    /// </summary>
    public void Start(IEnumerable<PodCapture> knownPods)
    {
        lock (_writer)
        {
            if (_started || _uninstalled)
            {
                throw new InvalidOperationException("already started");
            }
            _started = true;
            _adopted.Adopt(_programs);
            foreach (var pod in knownPods.Where(p => !_adopted.Contains(p.Uid)))
            {
                StaleCapture.RemoveFrom(pod, _options, _source, _logger);
            }
            RedirectionLog.ProgramsLoaded(_logger, _options.BpfDirectory, _options.ZtunnelMark, _capture.Pins.Root, _programs.ReusedMaps, _adopted.Count);
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
            if (!_started || _uninstalled)
            {
                throw new InvalidOperationException("call Start first");
            }
            if (_pods.TryGetValue(pod.Uid, out var existing))
            {
                return existing.Listeners;
            }
            var created = new List<BpfLink>();
            var adopted = _adopted.Take(pod.Uid);
            PodListeners? listeners = null;
            try
            {
                listeners = TakeHandedOver(pod) ?? InPodListeners.Open(pod, _options.ZtunnelMark);
                _programs.EnrolledPods.Update(BpfAddress.ToNetworkOrder(pod.Ip), new MeshEnrolledPod { Flags = MeshPorts.PodEnrolled });
                Directory.CreateDirectory(_capture.Pins.PodDir(pod.Uid));
                // TC first (a SYN that finds no listener is reset), then the cgroup programs.
                var links = new List<BpfLink> { Link(adopted, created, pod, CapturePrograms.TcProgramName,
                    () => BpfLink.AttachTcIngress(_programs.TcProgram, pod.NetnsPath, _options.PodInterface, _options.TcMode)) };
                foreach (var program in _programs.CgroupPrograms)
                {
                    links.Add(Link(adopted, created, pod, program.Name, () => BpfLink.AttachCgroup(program, pod.CgroupPath)));
                }
                var connections = _options.PreserveSourceAddress ? _source.TrySetUp(pod) : null;
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
                    _adopted.TryDetach(link);
                    link.Dispose();
                }
                if (adopted.Count > 0)
                {
                    _adopted.Return(pod.Uid, adopted);
                }
                else
                {
                    TryForget(pod.Ip);
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
            _adopted.RemovePodPins(uid);
            TryForget(attachment.Listeners.Pod.Ip);
            attachment.Close();
            if (attachment.Listeners.SourcePreserved)
            {
                _source.TearDown(attachment.Listeners.Pod);
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
            _adopted.Release(keep);
            foreach (var unused in _handedIn.Values)
            {
                unused.Dispose();
            }
            _handedIn.Clear();
            if (_adopted.Count > 0 || _uninstalled)
            {
                return; // pods being retried keep their enrolled entry
            }
            var enrolled = _pods.Values.Select(p => BpfAddress.ToNetworkOrder(p.Listeners.Pod.Ip)).ToHashSet();
            foreach (var ip in _programs.EnrolledPods.Keys())
            {
                if (!enrolled.Contains(ip))
                {
                    TryForget(BpfAddress.FromNetworkOrder(ip));
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

    /// <summary>
    /// Removes all capture of this instance: every pod unenrolled, every pin (also of pods this process never
    /// enrolled) removed, the instance folder deleted. <paramref name="knownPods"/> lose a clsact filter left on them.
    /// Nothing can be enrolled afterwards.
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
            if (!_uninstalled)
            {
                foreach (var ip in _programs.EnrolledPods.Keys())
                {
                    TryForget(BpfAddress.FromNetworkOrder(ip));
                }
            }
            _uninstalled = true;
            PinnedLinks.RemoveAll(_capture.Pins, _options, knownPods);
            RedirectionLog.Uninstalled(_logger, _capture.Pins.Root);
        }
    }

    /// <summary>
    /// Ends this process's hold on the pods and leaves the pins: every enrolled pod stays captured (its connections
    /// are refused until a ztunnel of the same instance starts and adopts it). Listeners not handed over close. The
    /// programs stay loaded until their owner disposes the <see cref="LoadedCapture"/>.
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
            _adopted.Close();
            foreach (var unused in _handedIn.Values)
            {
                unused.Dispose();
            }
            _handedIn.Clear();
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
            var path = _capture.Pins.PodLink(pod.Uid, program);
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
        return InPodListeners.From(pod, sockets);
    }

    private void TryForget(IPAddress ip)
    {
        try
        {
            _programs.EnrolledPods.Delete(BpfAddress.ToNetworkOrder(ip));
        }
        catch (BpfException)
        {
            // nothing to forget
        }
    }
}
