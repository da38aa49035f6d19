using Mesh.Native;

namespace Mesh.Ztunnel.Redirection;

/// <summary>
/// The two capture objects, loaded once per ztunnel: capture_connect.bpf.o (cgroup connect4/6,
/// sockops, getpeername4/6 and the original-destination maps) and capture_tc.bpf.o (TC ingress).
/// Every enrolled pod attaches these same programs, so all pods share one set of maps.
/// </summary>
internal sealed class CapturePrograms : IDisposable
{
    public const string ConnectObjectFile = "capture_connect.bpf.o";
    public const string TcObjectFile = "capture_tc.bpf.o";

    /// <summary>The cgroup programs, in the order they are attached.</summary>
    public static readonly string[] CgroupProgramNames =
        ["capture_getpeername4", "capture_getpeername6", "capture_sockops", "capture_connect4", "capture_connect6"];

    public const string TcProgramName = "capture_inbound";

    private CapturePrograms(BpfObject connect, BpfObject tc)
    {
        Connect = connect;
        Tc = tc;
        CgroupPrograms = CgroupProgramNames.Select(connect.FindProgram).ToArray();
        TcProgram = tc.FindProgram(TcProgramName);
        OrigDstByClient = connect.FindMap<MeshClientKey, MeshOrigDst>("orig_dst_by_client");
    }

    public BpfObject Connect { get; }

    public BpfObject Tc { get; }

    public IReadOnlyList<BpfProgram> CgroupPrograms { get; }

    public BpfProgram TcProgram { get; }

    public BpfMap<MeshClientKey, MeshOrigDst> OrigDstByClient { get; }

    /// <summary>Opens and loads both objects; a verifier rejection throws with the verifier's log.</summary>
    public static CapturePrograms Load(RedirectionOptions options)
    {
        BpfObject? connect = null;
        BpfObject? tc = null;
        try
        {
            connect = BpfObject.Open(Path.Combine(options.BpfDirectory, ConnectObjectFile));
            connect.SetReadOnlyData(new MeshConnectConfig { ZtunnelMark = options.ZtunnelMark, InboundMark = options.InboundMark });
            connect.Load();
            tc = BpfObject.Load(Path.Combine(options.BpfDirectory, TcObjectFile));
            return new CapturePrograms(connect, tc);
        }
        catch (BpfException e)
        {
            connect?.Dispose();
            tc?.Dispose();
            throw new RedirectionException(
                $"cannot load the capture programs from {options.BpfDirectory}: {e.Message}\n" +
                "Build them with `make -C bpf`, run as root, and run `meshctl check` to see what the kernel lacks.", e);
        }
    }

    public void Dispose()
    {
        Connect.Dispose();
        Tc.Dispose();
    }
}
