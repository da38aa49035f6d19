using System.Security.Cryptography.X509Certificates;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Mesh.Lab.Launch;
using Mesh.Lab.Model;
using Mesh.Tests.Common;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.DataPath;

/// <summary>
/// The lab of the flood tests, started on first use and shared by them (one lab instead of four): the mesh lab of
/// <see cref="MeshLabYaml.TwoNodes"/>, plus an attacker's workload certificate (identity app/attacker) issued by the
/// lab control plane's own root, as a stolen or compromised workload would hold. The generator
/// (<c>flood.js</c>) runs in the non-mesh pod on node1 and goes straight to the server pod on node2; a normal
/// enrolled client keeps requesting through the mesh meanwhile.
/// </summary>
public sealed class BoundsLab : IAsyncLifetime
{
    public const string Attacker = "spiffe://cluster.local/ns/app/sa/attacker";

    private readonly SemaphoreSlim _start = new(1, 1);
    private LabFixture? _lab;

    public static string FloodScript => Path.Combine(RepoPaths.Root, "tests", "Mesh.Tests.Integration", "DataPath", "flood.js");

    public string CertDir => Path.Combine(Lab.State.StateDir, "attacker");

    public LabFixture Lab => _lab ?? throw new InvalidOperationException("call GetAsync first");

    public async Task<BoundsLab> GetAsync()
    {
        await _start.WaitAsync();
        try
        {
            if (_lab is null)
            {
                var lab = await LabFixture.StartAsync(MeshLabYaml.TwoNodes);
                _lab = lab;
                await lab.StartMeshAsync();
                await lab.WaitForListenerAsync("server", 8080);
                await lab.WaitForCaptureAsync("client");
                await lab.WaitForCaptureAsync("server");
                WriteAttackerCertificate();
                // Warm up: the first request makes the certificates and the pooled HBONE connection.
                await LabFixture.WaitUntilAsync(async () => (await Lab.CurlAsync("client", ServerUrl, "-o", "/dev/null", "-w", "%{http_code}")).Stdout == "200",
                    TimeSpan.FromSeconds(30), "the normal client never got a 200: " + Lab.ZtunnelLogs());
            }
            return this;
        }
        finally
        {
            _start.Release();
        }
    }

    public string ServerIp => Lab.Pod("server").Ip;

    public string ServerUrl => $"http://{ServerIp}:8080/";

    /// <summary>The server node's ztunnel (the one under attack).</summary>
    /// <summary>node2's ztunnel itself (the lab supervises it: the recorded PID is its supervisor's).</summary>
    public int ZtunnelPid => ChildPid(Lab.State.Processes.Single(p => p.Name == LabMesh.ZtunnelLog("node2")));

    /// <summary>The running program of a lab process: a supervised one's child, read from its PID file.</summary>
    internal static int ChildPid(Mesh.Lab.Model.ProcessState p) =>
        new Mesh.Lab.Runtime.LabProcess(p.Name, p.Where, p.Pid, p.LogPath) { PidFile = p.PidFile }.ChildPid()
            ?? throw new InvalidOperationException($"{p.Name} is not running (supervisor pid {p.Pid})");

    public static long RssKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Sum of a counter's samples on node2's 15020 whose line contains <paramref name="labelFilter"/>.</summary>
    public async Task<Dictionary<string, long>> RefusalsAsync()
    {
        var text = await MetricsAsync();
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var l in text.Split('\n'))
        {
            const string prefix = "mesh_ztunnel_refused_connections_total{reason=\"";
            if (l.StartsWith(prefix, StringComparison.Ordinal))
            {
                var reason = l[prefix.Length..l.IndexOf('"', prefix.Length)];
                result[reason] = long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return result;
    }

    public async Task<long> CounterAsync(string name, string contains)
    {
        var text = await MetricsAsync();
        return text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(contains, StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private async Task<string> MetricsAsync()
    {
        var node2 = Lab.State.Nodes.Single(n => n.Name == "node2");
        var r = await Lab.Lab.ExecInNodeAsync("node2", ["curl", "-sf", "-m", "10", $"http://{node2.Ip}:15020/metrics"]);
        Assert.True(r.Ok, $"metrics scrape failed: {r.Stderr}");
        return r.Stdout;
    }

    /// <summary>
    /// Runs one flood from the non-mesh pod while the enrolled client requests through the mesh every 100 ms, and
    /// returns what a user would check: the generator's counts, the normal client's answers, ztunnel's PID and RSS.
    /// </summary>
    public async Task<FloodOutcome> FloodAsync(string[] generator, TimeSpan limit)
    {
        var pid = ZtunnelPid;
        var baseline = RssKb(pid);
        var refusedBefore = await RefusalsAsync();
        var stop = Path.Combine(Lab.State.StateDir, "stop-normal-client");
        File.Delete(stop);
        var normal = Lab.Lab.ExecInPodAsync("client",
            ["sh", "-c", $"while [ ! -f {stop} ]; do curl -s -o /dev/null -m 5 -w '%{{http_code}}\\n' {ServerUrl}; sleep 0.1; done"],
            timeout: limit + TimeSpan.FromMinutes(1));
        var clock = Stopwatch.StartNew();
        var flood = await Lab.Lab.ExecInPodAsync("plain", ["node", FloodScript, .. generator], timeout: limit);
        var duration = clock.Elapsed;
        await File.WriteAllTextAsync(stop, "");
        var codes = (await normal).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(flood.Ok, $"the generator failed ({flood.ExitCode}): {flood.Stdout} {flood.Stderr}");
        var summary = JsonNode.Parse(flood.Stdout.Trim().Split('\n')[^1])!.AsObject();

        // RSS after the flood: give the runtime a moment (the normal client keeps it allocating, so GCs run).
        var after = RssKb(pid);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (after > 2 * baseline && DateTime.UtcNow < deadline)
        {
            await Lab.CurlAsync("client", ServerUrl, "-o", "/dev/null");
            await Task.Delay(200);
            after = RssKb(pid);
        }
        // ztunnel reports a refusal just before it resets the connection: wait until the count is stable.
        var refusedAfter = await RefusalsAsync();
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(250);
            var again = await RefusalsAsync();
            if (again.Values.Sum() == refusedAfter.Values.Sum())
            {
                break;
            }
            refusedAfter = again;
        }
        var refused = refusedAfter.ToDictionary(kv => kv.Key, kv => kv.Value - refusedBefore.GetValueOrDefault(kv.Key), StringComparer.Ordinal);
        File.Delete(stop);
        return new FloodOutcome(summary, codes, pid, ZtunnelPid, baseline, after, refused, duration);
    }

    /// <summary>A leaf for <see cref="Attacker"/> signed by the lab's root, with the trust bundle, as PEM files for the generator.</summary>
    private void WriteAttackerCertificate()
    {
        var ca = Path.Combine(LabMesh.MeshDir(Lab.State), "cp", "ca");
        using var root = TestCa.FromPemFiles(Path.Combine(ca, "root-cert.pem"), Path.Combine(ca, "root-key.pem"));
        using var leaf = root.Issue(Attacker);
        Directory.CreateDirectory(CertDir);
        File.WriteAllText(Path.Combine(CertDir, "cert.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(Path.Combine(CertDir, "key.pem"), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.Copy(LabMesh.TrustBundle(Lab.State), Path.Combine(CertDir, "ca.pem"), overwrite: true);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
        _start.Dispose();
    }
}
