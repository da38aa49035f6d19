using Mesh.Tests.Common;

namespace Mesh.Tests.Integration.Capture;

/// <summary>The ztunnel executable in mesh mode failing its start on a broken capture program (root).</summary>
public sealed class ZtunnelStartTests
{
    [RootFact]
    public void Start_BrokenBpfObject_ExitsOneWithTheVerifierMessageAndUninstallLeavesNoPin()
    {
        var dir = Directory.CreateTempSubdirectory("mesh-ebpf-broken-").FullName;
        var instance = "test-" + Guid.NewGuid().ToString("N")[..10];
        var pins = $"/sys/fs/bpf/mesh/{instance}";
        try
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "bpf", "capture_connect.bpf.o"), Path.Combine(dir, "capture_connect.bpf.o"));
            // Reads packet data without a bounds check: the verifier must refuse it.
            File.WriteAllText(Path.Combine(dir, "broken.bpf.c"), """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("tc")
                int capture_inbound(struct __sk_buff *skb)
                {
                    unsigned char *data = (unsigned char *)(long)skb->data;
                    return data[40];
                }
                char LICENSE[] SEC("license") = "GPL";
                """);
            Shell.Run($"clang-14 -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c {dir}/broken.bpf.c -o {dir}/capture_tc.bpf.o");
            // The files must exist; nothing is ever connected to (the capture programs load before the first dial).
            File.WriteAllText(Path.Combine(dir, "token"), "unused");
            Shell.Run($"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout {dir}/root.key -out {dir}/root.pem -subj /CN=unused -days 1");

            int code;
            string output;
            using (var ztunnel = new ZtunnelProcess(["--node", "n1", "--control-plane", "https://127.0.0.1:9", "--token-file", $"{dir}/token",
                "--root-cert", $"{dir}/root.pem", "--bpf-dir", dir, "--instance", instance, "--cni-socket", $"{dir}/cni.sock",
                "--handoff-socket", $"{dir}/handoff.sock", "--telemetry-address", "127.0.0.1"]))
            {
                code = ztunnel.WaitForExit();
                output = ztunnel.AllOutput;
            }

            Assert.True(code == 1, output);
            var failure = Assert.Single(output.Split('\n'), l => l.Contains("cannot start capture:", StringComparison.Ordinal));
            Assert.Contains("capture_tc.bpf.o", failure, StringComparison.Ordinal);
            Assert.Contains("EACCES", failure, StringComparison.Ordinal);
            Assert.Contains("invalid access to packet", failure, StringComparison.Ordinal);
            // libbpf's own log (the verifier's lines) went to ztunnel's logger.
            Assert.Contains(output.Split('\n'), l => l.Contains("libbpf:", StringComparison.Ordinal) && l.Contains("invalid access to packet", StringComparison.Ordinal));
            // What the failed start pinned (the maps of the object that did load), `ztunnel uninstall` removes.
            using (var uninstall = new ZtunnelProcess(["uninstall", "--instance", instance]))
            {
                Assert.True(uninstall.WaitForExit() == 0, uninstall.AllOutput);
            }
            Assert.False(Directory.Exists(pins));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            Shell.Run($"rm -rf {pins}", check: false);
        }
    }
}
