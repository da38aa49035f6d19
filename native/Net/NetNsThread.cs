using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tmds.Linux;

namespace Mesh.Native.Net;

/// <summary>
/// One long-lived dedicated thread per network namespace path, doing <see cref="NetNs"/>'s work one request at a
/// time: it waits at home, and per request enters the namespace, makes the raw syscalls, returns home and only
/// then signals the caller (never allocating, logging or waiting while inside). It ends when the namespace is
/// released (<see cref="NetNs.Release"/>, at unenroll) or after <see cref="IdleTimeout"/> without work. Replaces
/// a new OS thread per socket.
/// </summary>
internal sealed unsafe class NetNsThread
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private static readonly ConcurrentDictionary<string, NetNsThread> s_threads = new(StringComparer.Ordinal);

    [ThreadStatic]
    private static bool t_isNetNsThread;

    private readonly object _sync = new();
    private readonly Lock _callers = new();
    private NetNsWork* _pending;
    private bool _stop;
    private bool _exited;

    private NetNsThread(string netnsPath)
    {
        var thread = new Thread(Loop, maxStackSize: 256 * 1024) { IsBackground = true, Name = "mesh-netns" };
        thread.UnsafeStart();
        NetnsPath = netnsPath;
    }

    public string NetnsPath { get; }

    /// <summary>
    /// True on a thread that enters pods' network namespaces (one of these): nothing it runs may log, since a logger
    /// could start a thread there, so native callbacks (libbpf's print) check this and stay silent.
    /// </summary>
    internal static bool IsCurrentThread => t_isNetNsThread;

    /// <summary>Runs <paramref name="work"/> on the namespace's thread (started if needed) and waits for it.</summary>
    public static void Run(string netnsPath, NetNsWork* work)
    {
        while (true)
        {
            var thread = s_threads.GetOrAdd(netnsPath, static p => new NetNsThread(p));
            if (thread.TryRun(work))
            {
                return;
            }
            s_threads.TryRemove(new KeyValuePair<string, NetNsThread>(netnsPath, thread));
        }
    }

    /// <summary>Ends the thread of <paramref name="netnsPath"/>, if any (a later request starts a new one).</summary>
    public static void Release(string netnsPath)
    {
        if (s_threads.TryRemove(netnsPath, out var thread))
        {
            lock (thread._sync)
            {
                thread._stop = true;
                Monitor.PulseAll(thread._sync);
            }
        }
    }

    /// <summary>How many namespace threads are alive (tests).</summary>
    public static int Count => s_threads.Count;

    private bool TryRun(NetNsWork* work)
    {
        lock (_callers)
        {
            lock (_sync)
            {
                if (_exited || _stop)
                {
                    return false;
                }
                _pending = work;
                Monitor.PulseAll(_sync);
                while (_pending != null)
                {
                    Monitor.Wait(_sync);
                }
                return true;
            }
        }
    }

    private void Loop()
    {
        t_isNetNsThread = true; // set at home, so the thread-static storage exists before the thread ever goes inside
        var home = Interop.Libc.Open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
        while (true)
        {
            NetNsWork* work;
            lock (_sync)
            {
                while (_pending == null)
                {
                    if (_stop || home < 0 || (!Monitor.Wait(_sync, IdleTimeout) && _pending == null))
                    {
                        _exited = true;
                        Monitor.PulseAll(_sync);
                        if (home >= 0)
                        {
                            _ = LibC.close(home);
                        }
                        return;
                    }
                }
                work = _pending;
            }
            work->HomeFd = home;
            NetNs.Execute(work);
            var stranded = work->ReturnedHome == 0;
            lock (_sync)
            {
                _pending = null;
                if (stranded)
                {
                    _exited = true; // still inside the pod: this thread must end, and does right below
                }
                Monitor.PulseAll(_sync);
            }
            if (stranded)
            {
                return;
            }
        }
    }
}
