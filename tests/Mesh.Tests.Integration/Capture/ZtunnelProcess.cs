using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mesh.Tests.Integration.Capture;

/// <summary>The real ztunnel executable started for a test (a start that must fail, <c>ztunnel uninstall</c>); its output is kept.</summary>
internal sealed class ZtunnelProcess : IDisposable
{
    private readonly Process _process;

    public ZtunnelProcess(IReadOnlyList<string> args)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "ztunnel");
        var psi = new ProcessStartInfo(exe, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public ConcurrentQueue<string> Output { get; } = new();

    public string AllOutput => string.Join('\n', Output);

    /// <summary>Waits until a line contains <paramref name="text"/>; false if the process exits or 30 s pass first.</summary>
    public bool WaitFor(string text, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Count(l => l.Contains(text, StringComparison.Ordinal)) >= count)
            {
                return true;
            }
            if (_process.HasExited)
            {
                Thread.Sleep(200); // let the last lines arrive
                return Output.Count(l => l.Contains(text, StringComparison.Ordinal)) >= count;
            }
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>Threads of ztunnel whose network namespace is not ztunnel's own.</summary>
    public string[] ThreadsOutsideHomeNamespace()
    {
        var home = new FileInfo($"/proc/{Pid}/ns/net").LinkTarget;
        return Directory.GetDirectories($"/proc/{Pid}/task")
            .Select(t => (Task: t, Ns: TryLink(Path.Combine(t, "ns", "net"))))
            .Where(t => t.Ns is not null && t.Ns != home)
            .Select(t => $"{t.Task} in {t.Ns}")
            .ToArray();
    }

    /// <summary>Waits for the process to end by itself (30 s at most); its exit code, -1 when it did not.</summary>
    public int WaitForExit()
    {
        if (!_process.WaitForExit(30_000))
        {
            return -1;
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void SigKill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public int SigTerm()
    {
        Shell.Run($"kill -TERM {Pid}");
        if (!_process.WaitForExit(30_000))
        {
            SigKill();
            return -1;
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            SigKill();
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            Output.Enqueue(line);
        }
    }

    private static string? TryLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
