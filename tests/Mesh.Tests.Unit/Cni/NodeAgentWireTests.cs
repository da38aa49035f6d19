using System.Text;
using Mesh.Core.NodeAgent;

namespace Mesh.Tests.Unit.Cni;

public sealed class NodeAgentWireTests
{
    [Fact]
    public void Encode_Request_OneJsonLineThatParsesBack()
    {
        var line = NodeAgentWire.Encode(new CniPodRequest { Command = "add", Uid = "u", Namespace = "app", Name = "web", NetnsPath = "/n", Ips = ["198.18.1.2"] });

        Assert.Equal((byte)'\n', line[^1]);
        Assert.Equal(1, line.Count(b => b == (byte)'\n'));
        var back = NodeAgentWire.ParseRequest(line.AsSpan(0, line.Length - 1), out var error);
        Assert.Equal("", error);
        Assert.Equal(("add", "web", "198.18.1.2"), (back!.Command, back.Name, back.Ips[0]));
    }

    [Theory]
    [InlineData("nope", "not valid JSON")]
    [InlineData("""{"command":"add"}""", "not valid JSON")]
    [InlineData("""{"command":"run","uid":"u","namespace":"a","name":"b","netnsPath":"/n"}""", "unknown command 'run'")]
    [InlineData("""{"command":"add","uid":"","namespace":"a","name":"b","netnsPath":"/n"}""", "must not be empty")]
    public void ParseRequest_BadLine_NullWithTheReason(string line, string says)
    {
        Assert.Null(NodeAgentWire.ParseRequest(Encoding.UTF8.GetBytes(line), out var error));
        Assert.Contains(says, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadLineAsync_CutShortOrTooLong_SaysWhich()
    {
        var buffer = new byte[NodeAgentWire.MaxLine + 1];
        Assert.Equal(-1, await NodeAgentWire.ReadLineAsync(new MemoryStream(Encoding.UTF8.GetBytes("{\"command\":")), buffer, default));
        Assert.Equal(-2, await NodeAgentWire.ReadLineAsync(new MemoryStream(new byte[NodeAgentWire.MaxLine + 10]), buffer, default));
        Assert.Equal(2, await NodeAgentWire.ReadLineAsync(new MemoryStream(Encoding.UTF8.GetBytes("{}\nrest")), buffer, default));
    }

    [Fact]
    public void EnrollmentFile_NextToTheSocket()
    {
        Assert.Equal("/var/run/mesh/cni.namespaces.json", NodeAgentWire.EnrollmentFile(NodeAgentWire.DefaultSocket));
    }
}
