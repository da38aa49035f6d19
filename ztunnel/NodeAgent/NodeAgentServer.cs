using System.Diagnostics;
using System.Net.Sockets;
using Mesh.Core.Net;
using Mesh.Core.NodeAgent;
using Microsoft.Extensions.Logging;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// The unix socket mesh-cni talks to (<see cref="NodeAgentWire"/>): one request line, one answer line per connection.
/// A stale socket file from an earlier ztunnel is replaced, and the file is removed at stop; the folder is created (0700). Every bad request (cut short,
/// too long, not JSON, unknown command) gets one error answer and one warning; nothing a client sends ends the server.
/// </summary>
public sealed class NodeAgentServer : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _listener;
    private readonly CniPodHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private readonly string _path;

    private NodeAgentServer(Socket listener, string path, CniPodHandler handler, ILogger logger)
    {
        _path = path;
        _listener = listener;
        _handler = handler;
        _logger = logger;
        _accepting = AcceptAsync();
    }

    public static NodeAgentServer Start(string socketPath, CniPodHandler handler, ILogger logger)
    {
        var dir = Path.GetDirectoryName(socketPath)!;
        Directory.CreateDirectory(dir);
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new NodeAgentServer(listener, socketPath, handler, logger);
    }

    private async Task AcceptAsync()
    {
        await foreach (var client in SocketAccept.AcceptAllAsync(_listener, _stop.Token).ConfigureAwait(false))
        {
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(RequestTimeout);
        await using var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            var buffer = new byte[NodeAgentWire.MaxLine + 1];
            var length = await NodeAgentWire.ReadLineAsync(stream, buffer, timeout.Token).ConfigureAwait(false);
            CniPodAnswer answer;
            if (length < 0)
            {
                var reason = length == -1
                    ? "request cut short: the connection ended before the end of the line"
                    : $"request longer than {NodeAgentWire.MaxLine} bytes";
                NodeAgentLog.BadRequest(_logger, reason);
                answer = new CniPodAnswer { Outcome = NodeAgentWire.Error, Message = reason };
            }
            else if (NodeAgentWire.ParseRequest(buffer.AsSpan(0, length), out var error) is not { } request)
            {
                NodeAgentLog.BadRequest(_logger, error);
                answer = new CniPodAnswer { Outcome = NodeAgentWire.Error, Message = error };
            }
            else
            {
                answer = await _handler.HandleAsync(request, timeout.Token).ConfigureAwait(false);
                NodeAgentLog.Request(_logger, request.Command, request.Namespace, request.Name, request.Uid, request.NetnsPath,
                    answer.Outcome, clock.Elapsed.TotalMilliseconds, answer.Message is null ? "" : ": " + answer.Message);
            }
            await stream.WriteAsync(NodeAgentWire.Encode(answer), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            NodeAgentLog.BadRequest(_logger, $"connection ended: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
        try
        {
            File.Delete(_path); // mesh-cni then sees "no such file": ztunnel is not running
        }
        catch (IOException)
        {
        }
    }
}
