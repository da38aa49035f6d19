using Tmds.Linux;

namespace Mesh.Native.Bpf;

/// <summary>Kernel feature probes (each loads a tiny program or makes one harmless syscall).</summary>
public static unsafe class BpfFeatures
{
    public const uint ProgTypeSchedCls = 3;
    public const uint ProgTypeCgroupSockAddr = 18;
    public const uint ProgTypeSockOps = 13;
    public const uint HelperSkAssign = 124;
    public const uint HelperSkcLookupTcp = 99;
    private const uint BpfTcxIngress = 46;

    /// <summary>Loads "r0 = 0; exit" as a TC program; returns the errno on failure, 0 when it loads.</summary>
    public static int ProbeBpfSyscall()
    {
        var fd = LoadTrivial(ProgTypeSchedCls);
        if (fd < 0)
        {
            return -fd;
        }
        _ = LibC.close(fd);
        return 0;
    }

    /// <summary>1 when the kernel lets <paramref name="progType"/> call <paramref name="helperId"/>, 0 when not, -errno when the probe failed.</summary>
    public static int ProbeHelper(uint progType, uint helperId) => Interop.Libbpf.ProbeHelper(progType, helperId, 0);

    /// <summary>1 when the kernel knows <paramref name="progType"/>, 0 when not, -errno when the probe failed.</summary>
    public static int ProbeProgramType(uint progType) => Interop.Libbpf.ProbeProgType(progType, 0);

    /// <summary>
    /// True when the kernel has TCX links: creating one on a nonexistent interface fails with ENODEV
    /// (a kernel without TCX refuses the attach type with EINVAL). Nothing gets attached.
    /// </summary>
    public static bool ProbeTcx(out int errno)
    {
        var prog = LoadTrivial(ProgTypeSchedCls);
        if (prog < 0)
        {
            errno = -prog;
            return false;
        }
        try
        {
            var fd = Interop.NsCalls.BpfLinkCreate(prog, 0x3fffffff, BpfTcxIngress, null);
            if (fd >= 0)
            {
                _ = LibC.close(fd);
                errno = 0;
                return true;
            }
            errno = -fd;
            return errno == Errno.ENODEV;
        }
        finally
        {
            _ = LibC.close(prog);
        }
    }

    private static int LoadTrivial(uint progType)
    {
        // BPF_MOV64_IMM(BPF_REG_0, 0); BPF_EXIT_INSN()
        var insns = stackalloc ulong[] { 0x00000000000000b7UL, 0x0000000000000095UL };
        return Interop.Libbpf.ProgLoad(progType, null, "GPL", insns, 2, 0);
    }
}
