using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Mesh.Core.Net;

namespace Mesh.Tests.Unit.Core.Net;

public sealed class SocketAcceptTests
{
    [Fact]
    public async Task AcceptAllAsync_TwoClientsThenListenerClosed_YieldsBothThenEnds()
    {
        using var listener = Listen();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var b = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await a.ConnectAsync(listener.LocalEndPoint!, timeout.Token);
        await b.ConnectAsync(listener.LocalEndPoint!, timeout.Token);

        var accepted = new List<Socket>();
        await foreach (var s in SocketAccept.AcceptAllAsync(listener, timeout.Token))
        {
            accepted.Add(s);
            if (accepted.Count == 2)
            {
                listener.Dispose();
            }
        }

        Assert.Equal(new[] { a.LocalEndPoint, b.LocalEndPoint }.Select(e => e!.ToString()).Order(), accepted.Select(s => s.RemoteEndPoint!.ToString()).Order());
        Assert.False(timeout.IsCancellationRequested);
        accepted.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task AcceptAllAsync_TokenCancelledWhileWaiting_Ends()
    {
        using var listener = Listen();
        using var stop = new CancellationTokenSource();

        var loop = Task.Run(async () =>
        {
            await foreach (var s in SocketAccept.AcceptAllAsync(listener, stop.Token))
            {
                s.Dispose();
            }
        });
        await stop.CancelAsync();

        await loop.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData(SocketError.TooManyOpenSockets, AcceptNext.Pause)]
    [InlineData(SocketError.NoBufferSpaceAvailable, AcceptNext.Pause)]
    [InlineData(SocketError.ConnectionAborted, AcceptNext.Retry)]
    [InlineData(SocketError.HostUnreachable, AcceptNext.Retry)]
    [InlineData(SocketError.OperationAborted, AcceptNext.Stop)]
    [InlineData(SocketError.InvalidArgument, AcceptNext.Stop)]
    public void Next_AcceptError_PauseRetryOrStop(SocketError error, AcceptNext expected) => Assert.Equal(expected, SocketAccept.Next(error));

    /// <summary>The pod listeners, the node agent, the handoff socket and the telemetry server accept through one loop.</summary>
    [Fact]
    public void ProductSource_EverySocketAccept_GoesThroughSocketAccept()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Mesh.sln")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        var calls = new[] { "core", "ztunnel", "waypoint", "controlplane", "cni", "cli", "lab", "native" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root.FullName, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"\.AcceptAsync\("))
            .Select(f => Path.GetRelativePath(root.FullName, f))
            .ToList();

        Assert.Equal([Path.Combine("core", "Net", "SocketAccept.cs")], calls);
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        return listener;
    }
}
