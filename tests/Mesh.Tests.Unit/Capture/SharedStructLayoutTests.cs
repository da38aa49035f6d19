using System.Diagnostics;
using System.Runtime.InteropServices;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Tests.Unit.Capture;

/// <summary>
/// The C# mirrors of bpf/mesh_bpf.h must match the C structs byte for byte: a tiny C program built
/// with clang-14 against the header prints sizeof/offsetof, and each is compared with the C# layout.
/// </summary>
public sealed class SharedStructLayoutTests
{
    private static readonly Lazy<Dictionary<string, int>> s_c = new(MeasureC);

    public static TheoryData<string, Type, string[]> Structs => new()
    {
        { "mesh_orig_dst", typeof(MeshOrigDst), ["ip:Ip", "port:Port", "pad:Pad"] },
        { "mesh_client_key", typeof(MeshClientKey), ["netns_cookie:NetnsCookie", "ip:Ip", "port:Port", "pad:Pad"] },
        { "mesh_connect_config", typeof(MeshConnectConfig), ["ztunnel_mark:ZtunnelMark", "inbound_mark:InboundMark"] },
        { "mesh_enrolled_pod", typeof(MeshEnrolledPod), ["flags:Flags", "pad:Pad"] },
    };

    [Theory]
    [MemberData(nameof(Structs))]
    public void Layout_CSharpMirror_MatchesCHeader(string cName, Type mirror, string[] fields)
    {
        var c = s_c.Value;
        Assert.Equal(c[$"sizeof {cName}"], Marshal.SizeOf(mirror));
        foreach (var pair in fields)
        {
            var (cField, csField) = (pair.Split(':')[0], pair.Split(':')[1]);
            Assert.Equal(c[$"offsetof {cName}.{cField}"], (int)Marshal.OffsetOf(mirror, csField));
        }
        Assert.Equal(fields.Length, mirror.GetFields().Length);
    }

    [Fact]
    public void Ports_CSharpConstants_MatchCHeader()
    {
        var c = s_c.Value;
        Assert.Equal(MeshPorts.Outbound, c["MESH_OUTBOUND_PORT"]);
        Assert.Equal(MeshPorts.Inbound, c["MESH_INBOUND_PORT"]);
        Assert.Equal(MeshPorts.Hbone, c["MESH_HBONE_PORT"]);
        Assert.Equal((int)MeshPorts.PodEnrolled, c["MESH_POD_ENROLLED"]);
    }

    private static Dictionary<string, int> MeasureC()
    {
        var header = FindHeader();
        var dir = Directory.CreateTempSubdirectory("mesh-layout-").FullName;
        try
        {
            var source = Path.Combine(dir, "layout.c");
            File.WriteAllText(source, $$"""
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/types.h>
                #include "{{header}}"
                #define S(t) printf("sizeof %s %zu\n", #t, sizeof(struct t));
                #define O(t, f) printf("offsetof %s.%s %zu\n", #t, #f, offsetof(struct t, f));
                int main(void) {
                    S(mesh_orig_dst) O(mesh_orig_dst, ip) O(mesh_orig_dst, port) O(mesh_orig_dst, pad)
                    S(mesh_client_key) O(mesh_client_key, netns_cookie) O(mesh_client_key, ip) O(mesh_client_key, port) O(mesh_client_key, pad)
                    S(mesh_connect_config) O(mesh_connect_config, ztunnel_mark) O(mesh_connect_config, inbound_mark)
                    S(mesh_enrolled_pod) O(mesh_enrolled_pod, flags) O(mesh_enrolled_pod, pad)
                    printf("MESH_POD_ENROLLED %d\n", MESH_POD_ENROLLED);
                    printf("MESH_OUTBOUND_PORT %d\nMESH_INBOUND_PORT %d\nMESH_HBONE_PORT %d\n", MESH_OUTBOUND_PORT, MESH_INBOUND_PORT, MESH_HBONE_PORT);
                    return 0;
                }
                """);
            var binary = Path.Combine(dir, "layout");
            Run("clang-14", ["-o", binary, source]);
            return Run(binary, [])
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .ToDictionary(l => l[..l.LastIndexOf(' ')], l => int.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error}");
        return output;
    }

    private static string FindHeader()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var header = Path.Combine(dir.FullName, "bpf", "mesh_bpf.h");
            if (File.Exists(header))
            {
                return header;
            }
        }
        throw new InvalidOperationException("bpf/mesh_bpf.h not found above the test assembly");
    }
}
