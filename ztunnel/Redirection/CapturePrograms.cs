using Mesh.Native;
using Mesh.Native.Bpf;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// The two capture objects, loaded once per ztunnel: capture_connect.bpf.o (cgroup connect4/6,
/// sockops, getpeername4/6 and the original-destination maps) and capture_tc.bpf.o (TC ingress and the
/// enrolled_pods map). Every enrolled pod attaches these same programs, so all pods share one set of maps.
/// The maps are pinned (<see cref="CapturePins.MapsDir"/>): a ztunnel that starts where one ran before loads its
/// programs on the same maps (bpf_map__reuse_fd), so the pinned links keep their state when they are moved to
/// the new programs. The programs are pinned too (replacing the previous ones' pins).
/// </summary>
internal sealed class CapturePrograms : IDisposable
{
    public const string ConnectObjectFile = "capture_connect.bpf.o";
    public const string TcObjectFile = "capture_tc.bpf.o";

    /// <summary>The cgroup programs, in the order they are attached.</summary>
    public static readonly string[] CgroupProgramNames =
        ["capture_getpeername4", "capture_getpeername6", "capture_sockops", "capture_connect4", "capture_connect6"];

    public const string TcProgramName = "capture_inbound";

    private static readonly string[] s_connectMaps = ["orig_dst_by_cookie", "orig_dst_by_client"];
    private static readonly string[] s_tcMaps = ["enrolled_pods"];

    private CapturePrograms(BpfObject connect, BpfObject tc, bool reusedMaps)
    {
        Connect = connect;
        Tc = tc;
        CgroupPrograms = CgroupProgramNames.Select(connect.FindProgram).ToArray();
        TcProgram = tc.FindProgram(TcProgramName);
        OrigDstByClient = connect.FindMap<MeshClientKey, MeshOrigDst>("orig_dst_by_client");
        EnrolledPods = tc.FindMap<uint, MeshEnrolledPod>("enrolled_pods");
        ReusedMaps = reusedMaps;
    }

    public BpfObject Connect { get; }

    public BpfObject Tc { get; }

    public IReadOnlyList<BpfProgram> CgroupPrograms { get; }

    public BpfProgram TcProgram { get; }

    public BpfMap<MeshClientKey, MeshOrigDst> OrigDstByClient { get; }

    /// <summary>Pod IPv4 (network order) -> enrolled: the TC program resets SYNs to these pods when no listener is there.</summary>
    public BpfMap<uint, MeshEnrolledPod> EnrolledPods { get; }

    /// <summary>True when the maps were pinned already (a ztunnel ran here before).</summary>
    public bool ReusedMaps { get; }

    /// <summary>The program attached under <paramref name="name"/> (a pin file name in a pod's folder), or null.</summary>
    public BpfProgram? Find(string name) =>
        name == TcProgramName ? TcProgram : CgroupPrograms.FirstOrDefault(p => p.Name == name);

    /// <summary>Opens and loads both objects on the pinned maps; a verifier rejection throws with the verifier's log.</summary>
    public static CapturePrograms Load(RedirectionOptions options, CapturePins pins)
    {
        BpfObject? connect = null;
        BpfObject? tc = null;
        try
        {
            Directory.CreateDirectory(pins.MapsDir);
            Directory.CreateDirectory(pins.ProgramsDir);
            connect = BpfObject.Open(Path.Combine(options.BpfDirectory, ConnectObjectFile));
            connect.SetReadOnlyData(new MeshConnectConfig { ZtunnelMark = options.ZtunnelMark, InboundMark = options.InboundMark });
            var reused = LoadOnPinnedMaps(connect, s_connectMaps, pins);
            tc = BpfObject.Open(Path.Combine(options.BpfDirectory, TcObjectFile));
            reused &= LoadOnPinnedMaps(tc, s_tcMaps, pins);
            var programs = new CapturePrograms(connect, tc, reused);
            foreach (var program in programs.CgroupPrograms.Append(programs.TcProgram))
            {
                program.Pin(pins.Program(program.Name));
            }
            return programs;
        }
        catch (Exception e) when (e is BpfException or IOException or UnauthorizedAccessException)
        {
            connect?.Dispose();
            tc?.Dispose();
            throw new RedirectionException(
                $"cannot load the capture programs from {options.BpfDirectory} (pins in {pins.Root}): {e.Message}\n" +
                "Build them with `make -C bpf`, run as root, and run `meshctl check` to see what the kernel lacks.", e);
        }
    }

    /// <summary>Reuses the maps pinned under <paramref name="pins"/>, loads, and pins the ones that were not; true when all were reused.</summary>
    private static bool LoadOnPinnedMaps(BpfObject obj, string[] maps, CapturePins pins)
    {
        var reused = maps.Where(m => obj.ReusePinnedMap(m, pins.Map(m))).ToHashSet(StringComparer.Ordinal);
        obj.Load();
        foreach (var map in maps.Where(m => !reused.Contains(m)))
        {
            obj.PinMap(map, pins.Map(map));
        }
        return reused.Count == maps.Length;
    }

    public void Dispose()
    {
        Connect.Dispose();
        Tc.Dispose();
    }
}
