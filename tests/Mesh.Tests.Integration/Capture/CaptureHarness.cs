using System.Collections.Concurrent;
using Mesh.Native;
using Mesh.Ztunnel.Proxy;
using Mesh.Ztunnel.Redirection;

namespace Mesh.Tests.Integration.Capture;

/// <summary>
/// ztunnel's capture driven in-process: the <see cref="LoadedCapture"/>, a <see cref="PodEnroller"/> and the passthrough
/// proxy reading the <see cref="OriginalDestinations"/>, logging into <see cref="Log"/>, pinning under its own instance
/// (test-&lt;random&gt;). Dispose uninstalls: every pod unenrolled, every pin removed.
/// </summary>
internal sealed class CaptureHarness : IDisposable
{
    private readonly PodCapture[] _knownPods;

    public CaptureHarness(IEnumerable<PodCapture> knownPods, TcAttachMode tcMode = TcAttachMode.Auto, string? bpfDirectory = null,
        ConcurrentQueue<string>? log = null, bool preserveSourceAddress = true, string? instance = null)
    {
        _knownPods = knownPods.ToArray();
        Log = log ?? new ConcurrentQueue<string>();
        Options = new RedirectionOptions
        {
            BpfDirectory = bpfDirectory ?? BpfDirectory(),
            TcMode = tcMode,
            PreserveSourceAddress = preserveSourceAddress,
            Instance = instance ?? NewInstance(),
        };
        var logger = new TestLogger<PodEnroller>(Log);
        try
        {
            Capture = LoadedCapture.Load(Options, logger);
        }
        catch
        {
            StaleCapture.Uninstall(Options, _knownPods, logger); // what the failed load pinned
            throw;
        }
        var destinations = new OriginalDestinations(Capture);
        Proxy = new InPodProxy(() => destinations, new PodSocketFactory(Options), new TestLogger<InPodProxy>(Log));
        Enroller = new PodEnroller(Capture, Proxy, logger);
        try
        {
            Enroller.Start(_knownPods);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ConcurrentQueue<string> Log { get; }

    public RedirectionOptions Options { get; }

    public LoadedCapture Capture { get; }

    public PodEnroller Enroller { get; }

    public InPodProxy Proxy { get; }

    /// <summary>Log lines containing <paramref name="text"/>.</summary>
    public string[] LogLines(string text) => Log.Where(l => l.Contains(text, StringComparison.Ordinal)).ToArray();

    /// <summary>How many log lines contain every one of <paramref name="parts"/>.</summary>
    public int CountLog(params string[] parts) => Log.Count(l => parts.All(p => l.Contains(p, StringComparison.Ordinal)));

    public string AllLog => string.Join('\n', Log);

    /// <summary>The built BPF objects: bpf/ next to the test assembly, else the repo's bpf/.output.</summary>
    public static string BpfDirectory()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "bpf");
        if (File.Exists(Path.Combine(local, "capture_connect.bpf.o")))
        {
            return local;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var output = Path.Combine(dir.FullName, "bpf", ".output");
            if (File.Exists(Path.Combine(output, "capture_connect.bpf.o")))
            {
                return output;
            }
        }
        throw new InvalidOperationException("BPF objects not found; run `make -C bpf`");
    }

    /// <summary>Threads of this process whose network namespace differs from the process's.</summary>
    public static string[] ThreadsOutsideHomeNamespace()
    {
        var home = new FileInfo("/proc/self/ns/net").LinkTarget;
        var strays = new List<string>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var ns = new FileInfo(Path.Combine(task, "ns", "net")).LinkTarget;
                if (ns != home)
                {
                    strays.Add($"{Path.GetFileName(task)} in {ns}");
                }
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }
        return strays.ToArray();
    }

    /// <summary>A capture instance no other test (or parallel run) uses.</summary>
    public static string NewInstance() => "test-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Ends this harness's process-side hold only (as a crash would): the pins stay.</summary>
    public void Abandon()
    {
        Enroller.Dispose();
        Proxy.Dispose();
        Capture.Dispose();
    }

    public void Dispose()
    {
        Enroller.Uninstall(_knownPods);
        Enroller.Dispose();
        Proxy.Dispose();
        Capture.Dispose();
    }
}
