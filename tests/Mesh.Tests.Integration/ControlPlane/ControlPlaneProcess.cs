using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.ControlPlane;

/// <summary>
/// The real control plane executable on loopback (file registry in a temp folder, the demo cluster of
/// <see cref="TestControlPlane"/>), for tests that measure the process (RSS) or need its own log. Killed by PID.
/// </summary>
internal sealed partial class ControlPlaneProcess : IDisposable
{
    private readonly Process _process;

    private ControlPlaneProcess(Process process, string root)
    {
        _process = process;
        Root = root;
    }

    public string Root { get; }
    public string ClusterDir => Path.Combine(Root, "cluster");
    public int Pid => _process.Id;
    public int TlsPort { get; private set; }
    public int MonitoringPort { get; private set; }
    public ConcurrentQueue<string> Output { get; } = new();
    public string AllOutput => string.Join('\n', Output);

    [GeneratedRegex(@"(https?)://127\.0\.0\.1:(\d+)")]
    private static partial Regex Address();

    public static async Task<ControlPlaneProcess> StartAsync(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "cluster"));
        await File.WriteAllTextAsync(Path.Combine(root, "cluster", "cluster.yaml"), TestControlPlane.Cluster);
        await File.WriteAllTextAsync(Path.Combine(root, "tokens.json"), """{"node1": "token-1", "node2": "token-2"}""");
        var psi = new ProcessStartInfo("dotnet", [RepoPaths.Binary("Mesh.ControlPlane", "controlplane.dll"),
            "--registry", "file", "--dir", Path.Combine(root, "cluster"), "--node-tokens", Path.Combine(root, "tokens.json"),
            "--state-dir", Path.Combine(root, "state"), "--listen", "127.0.0.1:0", "--monitoring", "127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var cp = new ControlPlaneProcess(Process.Start(psi)!, root);
        cp._process.OutputDataReceived += (_, e) => cp.Keep(e.Data);
        cp._process.ErrorDataReceived += (_, e) => cp.Keep(e.Data);
        cp._process.BeginOutputReadLine();
        cp._process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (cp.TlsPort == 0)
        {
            if (cp._process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                var output = cp.AllOutput;
                cp.Dispose();
                throw new InvalidOperationException($"the control plane did not start; its output:\n{output}");
            }
            await Task.Delay(20);
        }
        return cp;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        Output.Enqueue(line);
        if (line.Contains("listening on", StringComparison.Ordinal))
        {
            foreach (Match m in Address().Matches(line))
            {
                var port = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                if (m.Groups[1].Value == "http")
                {
                    MonitoringPort = port;
                }
            }
            TlsPort = Address().Matches(line).Where(m => m.Groups[1].Value == "https").Select(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).FirstOrDefault();
        }
    }

    /// <summary>VmRSS of the process, in bytes, from /proc/&lt;pid&gt;/status.</summary>
    public long RssBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
