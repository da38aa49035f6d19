using System.Globalization;
using System.Runtime.InteropServices;
using Mesh.Native.Bpf;

namespace Mesh.Native.Check;

/// <summary>
/// Checks the kernel and machine for what eBPF capture needs. Used by `meshctl check` and by ztunnel
/// at start. Every probe is harmless: tiny programs are loaded and closed, nothing is attached.
/// </summary>
public static class CaptureChecker
{
    private const int CapNetAdmin = 12;
    private const int CapSysAdmin = 21;
    private const int CapBpf = 39;

    public static IReadOnlyList<CheckResult> Run(string procRoot = "/proc", string sysRoot = "/sys")
    {
        var results = new List<CheckResult>();
        var libbpf = CheckLibbpf();
        results.Add(libbpf);
        results.Add(CheckCapabilities(File.Exists($"{procRoot}/self/status") ? File.ReadAllText($"{procRoot}/self/status") : string.Empty));
        results.Add(CheckBtf(sysRoot));
        results.Add(CheckCgroup2(File.Exists($"{procRoot}/mounts") ? File.ReadAllText($"{procRoot}/mounts") : string.Empty));
        if (!libbpf.Ok)
        {
            const string needs = "not probed: libbpf.so.1 is missing";
            results.Add(new CheckResult("bpf syscall", false, needs, "install libbpf1 first"));
            results.Add(new CheckResult("cgroup programs", false, needs, "install libbpf1 first"));
            results.Add(new CheckResult("tc attach", false, needs, "install libbpf1 first"));
            results.Add(new CheckResult("sk_assign", false, needs, "install libbpf1 first"));
            return results;
        }
        var syscall = CheckBpfSyscall();
        results.Add(syscall);
        if (!syscall.Ok)
        {
            var notProbed = $"not probed: {syscall.Detail}";
            results.Add(new CheckResult("cgroup programs", false, notProbed, "fix the bpf syscall check first"));
            results.Add(new CheckResult("tc attach", false, notProbed, "fix the bpf syscall check first"));
            results.Add(new CheckResult("sk_assign", false, notProbed, "fix the bpf syscall check first"));
            return results;
        }
        results.Add(CheckCgroupPrograms());
        results.Add(CheckTc());
        results.Add(CheckSkAssign());
        return results;
    }

    private static CheckResult CheckLibbpf()
    {
        if (NativeLibrary.TryLoad(Libraries.Libbpf, out var handle))
        {
            var ok = NativeLibrary.TryGetExport(handle, "libbpf_probe_bpf_helper", out _);
            return new CheckResult("libbpf", ok, ok ? "libbpf.so.1 loaded" : "libbpf.so.1 is older than 1.0",
                "install libbpf 1.x: apt-get install libbpf1");
        }
        return new CheckResult("libbpf", false, "libbpf.so.1 not found", "apt-get install libbpf1 (Debian 12) or libbpf (Fedora)");
    }

    /// <summary>Parses CapEff from /proc/self/status (pure; unit-tested).</summary>
    public static CheckResult CheckCapabilities(string procStatus)
    {
        var line = procStatus.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps))
        {
            return new CheckResult("capabilities", false, "cannot read CapEff from /proc/self/status", "run on Linux as root");
        }
        var missing = new List<string>();
        if ((caps & (1UL << CapBpf)) == 0)
        {
            missing.Add("CAP_BPF");
        }
        if ((caps & (1UL << CapNetAdmin)) == 0)
        {
            missing.Add("CAP_NET_ADMIN");
        }
        if ((caps & (1UL << CapSysAdmin)) == 0)
        {
            missing.Add("CAP_SYS_ADMIN");
        }
        return missing.Count == 0
            ? new CheckResult("capabilities", true, "CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN", string.Empty)
            : new CheckResult("capabilities", false, $"missing {string.Join(", ", missing)}",
                "run as root, or grant them (securityContext.capabilities.add in the ztunnel DaemonSet)");
    }

    private static CheckResult CheckBtf(string sysRoot)
    {
        var path = $"{sysRoot}/kernel/btf/vmlinux";
        return File.Exists(path)
            ? new CheckResult("BTF", true, path, string.Empty)
            : new CheckResult("BTF", false, $"{path} is missing", "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (CO-RE needs it)");
    }

    /// <summary>Finds a cgroup2 mount in /proc/mounts text (pure; unit-tested).</summary>
    public static CheckResult CheckCgroup2(string procMounts)
    {
        var mount = procMounts.Split('\n').Select(l => l.Split(' ')).FirstOrDefault(p => p.Length > 2 && p[2] == "cgroup2");
        return mount is not null
            ? new CheckResult("cgroup v2", true, $"mounted at {mount[1]}", string.Empty)
            : new CheckResult("cgroup v2", false, "no cgroup2 mount", "mount -t cgroup2 none /sys/fs/cgroup, or boot with systemd.unified_cgroup_hierarchy=1");
    }

    private static CheckResult CheckBpfSyscall()
    {
        var errno = BpfFeatures.ProbeBpfSyscall();
        return errno == 0
            ? new CheckResult("bpf syscall", true, "a TC program loads", string.Empty)
            : new CheckResult("bpf syscall", false, $"loading a trivial program failed: {Errno.Name(errno)}",
                errno == Errno.EPERM ? "run as root (CAP_BPF + CAP_NET_ADMIN)" : "use a kernel with CONFIG_BPF_SYSCALL=y and CONFIG_BPF_JIT=y");
    }

    private static CheckResult CheckCgroupPrograms()
    {
        var sockAddr = BpfFeatures.ProbeProgramType(BpfFeatures.ProgTypeCgroupSockAddr);
        var sockOps = BpfFeatures.ProbeProgramType(BpfFeatures.ProgTypeSockOps);
        return sockAddr == 1 && sockOps == 1
            ? new CheckResult("cgroup programs", true, "cgroup/connect, getpeername and sockops programs load", string.Empty)
            : new CheckResult("cgroup programs", false, $"cgroup_sock_addr: {sockAddr}, sock_ops: {sockOps}",
                "use a kernel with CONFIG_CGROUP_BPF=y (5.8+ for getpeername hooks)");
    }

    private static CheckResult CheckTc()
    {
        if (BpfFeatures.ProbeTcx(out var errno))
        {
            return new CheckResult("tc attach", true, "TCX links (detach with the process)", string.Empty);
        }
        return BpfFeatures.ProbeProgramType(BpfFeatures.ProgTypeSchedCls) == 1
            ? new CheckResult("tc attach", true, $"clsact filters (no TCX: {Errno.Name(errno)}); ztunnel removes stale filters at start", string.Empty)
            : new CheckResult("tc attach", false, "neither TCX nor TC (sched_cls) programs", "use a kernel with CONFIG_NET_CLS_BPF and CONFIG_NET_SCH_INGRESS (6.6+ for TCX)");
    }

    private static CheckResult CheckSkAssign()
    {
        var assign = BpfFeatures.ProbeHelper(BpfFeatures.ProgTypeSchedCls, BpfFeatures.HelperSkAssign);
        var lookup = BpfFeatures.ProbeHelper(BpfFeatures.ProgTypeSchedCls, BpfFeatures.HelperSkcLookupTcp);
        return assign == 1 && lookup == 1
            ? new CheckResult("sk_assign", true, "bpf_sk_assign and bpf_skc_lookup_tcp available to TC programs", string.Empty)
            : new CheckResult("sk_assign", false, $"bpf_sk_assign: {assign}, bpf_skc_lookup_tcp: {lookup}",
                "use a kernel 5.7+ (inbound capture hands SYNs to the in-pod listener with bpf_sk_assign)");
    }
}
