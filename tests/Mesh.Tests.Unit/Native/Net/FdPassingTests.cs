using System.Net.Sockets;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Mesh.Native.Net;

namespace Mesh.Tests.Unit.Native.Net;

/// <summary>Real SOCK_SEQPACKET unix sockets and real files: what arrives is what the other side can use.</summary>
public sealed class FdPassingTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-fdpassing-").FullName;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Receive_FilesSent_GetsExactlyThoseFilesOpen(int count)
    {
        var (sender, receiver) = Pair();
        using var sending = sender;
        using var receiving = receiver;
        var paths = Enumerable.Range(0, count).Select(i => Path.Combine(_dir, $"file{i}")).ToArray();
        var handles = paths.Select(p => File.OpenHandle(p, FileMode.CreateNew, FileAccess.ReadWrite)).ToArray();
        try
        {
            FdPassing.Send(sender, "fds"u8, handles.Select(h => (int)h.DangerousGetHandle()).ToArray(), s_timeout);
        }
        finally
        {
            foreach (var h in handles)
            {
                h.Dispose();
            }
        }

        var buffer = new byte[64];
        var length = FdPassing.Receive(receiver, buffer, out var fds, s_timeout);

        Assert.Equal("fds", Encoding.ASCII.GetString(buffer, 0, length));
        Assert.Equal(count, fds.Length);
        for (var i = 0; i < count; i++)
        {
            using (var received = new SafeFileHandle(fds[i], ownsHandle: true))
            {
                RandomAccess.Write(received, Encoding.ASCII.GetBytes($"through fd {i}"), 0);
            }
            Assert.Equal($"through fd {i}", File.ReadAllText(paths[i]));
        }
    }

    [Fact]
    public void Receive_MessageWithoutFds_GetsDataAndNoFds()
    {
        var (sender, receiver) = Pair();
        using var sending = sender;
        using var receiving = receiver;

        FdPassing.Send(sender, "end"u8, [], s_timeout);
        var buffer = new byte[64];
        var length = FdPassing.Receive(receiver, buffer, out var fds, s_timeout);

        Assert.Equal("end", Encoding.ASCII.GetString(buffer, 0, length));
        Assert.Empty(fds);
    }

    [Fact]
    public void Receive_NothingSent_TimesOut()
    {
        var (sender, receiver) = Pair();
        using var sending = sender;
        using var receiving = receiver;

        Assert.Throws<TimeoutException>(() => FdPassing.Receive(receiver, new byte[8], out _, TimeSpan.FromMilliseconds(50)));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (Socket Sender, Socket Receiver) Pair()
    {
        var endpoint = new UnixDomainSocketEndPoint(Path.Combine(_dir, "sock"));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listener.Bind(endpoint);
        listener.Listen(1);
        var sender = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        sender.Connect(endpoint);
        var receiver = listener.Accept();
        File.Delete(Path.Combine(_dir, "sock"));
        return (sender, receiver);
    }
}
