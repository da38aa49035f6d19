using System.Net.Sockets;
using System.Text;
using Mesh.Core.Net;
using Mesh.Native;
using Mesh.Native.Net;
using Mesh.Ztunnel.Redirection;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.Host;

/// <summary>
/// Hands the in-pod listening sockets from a running ztunnel to its successor over a unix SOCK_SEQPACKET socket with
/// SCM_RIGHTS: the successor gets the same sockets, so their accept queues carry over and no connection waiting to be
/// accepted is lost. Wire: the successor sends "takeover"; the running one stops accepting and answers one message
/// "pod &lt;uid&gt;" per enrolled pod carrying its 15001, 15006 and 15008 fds, then "end".
/// </summary>
public sealed class ListenerHandoff : IAsyncDisposable
{
    private const string Request = "takeover";
    private const string PodPrefix = "pod ";
    private const string End = "end";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ListenerHandoff(Socket listener, Func<Task<IReadOnlyList<PodListeners>>> handOver, ILogger logger)
    {
        _listener = listener;
        _loop = ServeAsync(handOver, logger);
    }

    /// <summary>
    /// Asks the ztunnel serving <paramref name="path"/> for its listeners; empty when none runs there. The caller owns the sockets.
    /// </summary>
    public static async Task<IReadOnlyList<PodListenerSockets>> TakeOverAsync(string path, ILogger logger)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            HandoffLog.NoPredecessor(logger, path, e.SocketErrorCode);
            return [];
        }
        return await Task.Run(() => Receive(socket, path, logger)).ConfigureAwait(false);
    }

    /// <summary>
    /// Serves takeover requests on <paramref name="path"/> (replacing a socket file left there). <paramref name="handOver"/>
    /// must stop accepting and return the listeners; it runs once per request.
    /// </summary>
    public static ListenerHandoff Serve(string path, Func<Task<IReadOnlyList<PodListeners>>> handOver, ILogger logger)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            listener.Listen(4);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new ListenerHandoff(listener, handOver, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task ServeAsync(Func<Task<IReadOnlyList<PodListeners>>> handOver, ILogger logger)
    {
        await foreach (var peer in SocketAccept.AcceptAllAsync(_listener, _stop.Token).ConfigureAwait(false))
        {
            using (peer)
            {
                try
                {
                    var buffer = new byte[64];
                    var length = await Task.Run(() =>
                    {
                        var n = FdPassing.Receive(peer, buffer, out var stray, s_timeout);
                        Close(stray);
                        return n;
                    }).ConfigureAwait(false);
                    if (Encoding.UTF8.GetString(buffer, 0, length) != Request)
                    {
                        continue;
                    }
                    var pods = await handOver().ConfigureAwait(false);
                    await Task.Run(() => Send(peer, pods)).ConfigureAwait(false);
                    HandoffLog.HandedOver(logger, pods.Count);
                }
                catch (Exception e) when (e is BpfException or SocketException or TimeoutException or IOException)
                {
                    HandoffLog.HandOverFailed(logger, e.Message);
                }
            }
        }
    }

    private static void Send(Socket peer, IReadOnlyList<PodListeners> pods)
    {
        foreach (var pod in pods)
        {
            int[] fds =
            [
                (int)pod.Outbound.SafeHandle.DangerousGetHandle(),
                (int)pod.Inbound.SafeHandle.DangerousGetHandle(),
                (int)pod.Hbone.SafeHandle.DangerousGetHandle(),
            ];
            FdPassing.Send(peer, Encoding.UTF8.GetBytes(PodPrefix + pod.Pod.Uid), fds, s_timeout);
        }
        FdPassing.Send(peer, Encoding.UTF8.GetBytes(End), [], s_timeout);
    }

    private static List<PodListenerSockets> Receive(Socket socket, string path, ILogger logger)
    {
        var pods = new List<PodListenerSockets>();
        try
        {
            FdPassing.Send(socket, Encoding.UTF8.GetBytes(Request), [], s_timeout);
            var buffer = new byte[4096];
            while (true)
            {
                var length = FdPassing.Receive(socket, buffer, out var fds, s_timeout);
                var text = Encoding.UTF8.GetString(buffer, 0, length);
                if (length == 0 || text == End)
                {
                    break;
                }
                if (!text.StartsWith(PodPrefix, StringComparison.Ordinal) || fds.Length != 3)
                {
                    Close(fds);
                    continue;
                }
                pods.Add(new PodListenerSockets(text[PodPrefix.Length..], Wrap(fds[0]), Wrap(fds[1]), Wrap(fds[2])));
            }
            HandoffLog.TookOver(logger, path, pods.Count);
            return pods;
        }
        catch (Exception e) when (e is BpfException or SocketException or TimeoutException)
        {
            HandoffLog.TakeOverFailed(logger, path, e.Message);
            return pods; // what arrived is used; the rest of the pods get new listeners
        }
    }

    private static Socket Wrap(int fd) => new(new SafeSocketHandle(fd, ownsHandle: true));

    private static void Close(int[] fds)
    {
        foreach (var fd in fds)
        {
            new SafeSocketHandle(fd, ownsHandle: true).Dispose();
        }
    }
}
