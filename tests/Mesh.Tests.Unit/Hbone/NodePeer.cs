using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Hbone;

namespace Mesh.Tests.Unit.Hbone;

/// <summary>Runs peers/hbone-peer.js under node as a child process with a workload certificate written to a temp folder; killed by PID on dispose.</summary>
internal sealed class NodePeer : IDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _lineAdded = new(0);

    private NodePeer(Process process, string dir)
    {
        _process = process;
        _dir = dir;
    }

    public static NodePeer Start(HboneCredential credential, params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("hbone-node-").FullName;
        File.WriteAllText(Path.Combine(dir, "cert.pem"), credential.Certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "key.pem"), credential.Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(dir, "ca.pem"), string.Concat(credential.TrustBundle.Select(c => c.ExportCertificatePem() + "\n")));
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Script());
        info.ArgumentList.Add(args[0]);
        info.ArgumentList.Add(dir);
        foreach (var a in args[1..])
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info)!;
        var peer = new NodePeer(process, dir);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (peer._lines)
            {
                peer._lines.Add(e.Data);
            }
            peer._lineAdded.Release();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._lines)
                {
                    peer._lines.Add("STDERR " + e.Data);
                }
                peer._lineAdded.Release();
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>The value after the first output line starting with "<paramref name="prefix"/> ", waiting for it.</summary>
    public async Task<string> WaitForAsync(string prefix, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lines)
            {
                var line = _lines.FirstOrDefault(l => l.StartsWith(prefix + " ", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(prefix.Length + 1)..];
                }
                if (_process.HasExited && _lineAdded.CurrentCount == 0)
                {
                    throw new InvalidOperationException($"node exited ({_process.ExitCode}) without '{prefix}': {string.Join(" | ", _lines)}");
                }
            }
            await _lineAdded.WaitAsync(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Process.GetProcessById(_process.Id).Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (ArgumentException)
        {
        }
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Script()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Mesh.sln not found above the test folder"),
            "tests", "Mesh.Tests.Unit", "Hbone", "peers", "hbone-peer.js");
    }
}
