using System.Net.Sockets;
using Mesh.Core.NodeAgent;

namespace Mesh.Cni;

/// <summary>One request to ztunnel's node agent over its unix socket, one answer back, within a deadline (blocking calls: no thread pool).</summary>
public static class NodeAgentClient
{
    /// <summary>The answer, or throws <see cref="NodeAgentUnreachableException"/> when ztunnel cannot be reached or does not answer in time.</summary>
    public static CniPodAnswer Send(string socketPath, CniPodRequest request, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            socket.SendTimeout = Remaining(deadline);
            socket.Send(NodeAgentWire.Encode(request));
            var buffer = new byte[NodeAgentWire.MaxLine + 1];
            var filled = 0;
            while (true)
            {
                socket.ReceiveTimeout = Remaining(deadline);
                var n = socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                if (n == 0)
                {
                    throw new NodeAgentUnreachableException($"ztunnel at {socketPath} closed the connection without an answer");
                }
                var newline = Array.IndexOf(buffer, (byte)'\n', filled, n);
                filled += n;
                if (newline >= 0)
                {
                    return NodeAgentWire.ParseAnswer(buffer.AsSpan(0, newline))
                        ?? throw new NodeAgentUnreachableException($"ztunnel at {socketPath} sent an answer that is not JSON: {NodeAgentWire.Describe(buffer.AsSpan(0, newline))}");
                }
                if (filled == buffer.Length)
                {
                    throw new NodeAgentUnreachableException($"ztunnel at {socketPath} sent an answer longer than {NodeAgentWire.MaxLine} bytes");
                }
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw new NodeAgentUnreachableException($"ztunnel at {socketPath} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            throw new NodeAgentUnreachableException($"cannot reach ztunnel at {socketPath}: {e.Message}");
        }
    }

    private static int Remaining(long deadline)
    {
        var ms = deadline - Environment.TickCount64;
        return ms > 0 ? (int)ms : throw new SocketException((int)SocketError.TimedOut);
    }
}

/// <summary>ztunnel's node agent could not be reached or did not answer.</summary>
public sealed class NodeAgentUnreachableException(string message) : Exception(message);
