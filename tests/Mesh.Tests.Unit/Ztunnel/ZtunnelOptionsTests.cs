using Mesh.Ztunnel;

namespace Mesh.Tests.Unit.Ztunnel;

public sealed class ZtunnelOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ztunnel-options-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, "x");
        return path;
    }

    [Fact]
    public void Parse_FromTheEnvironment_AsAPodSpecSetsIt()
    {
        var token = File("token");
        var root = File("root.pem");
        var env = new Dictionary<string, string>
        {
            ["NODE_NAME"] = "node-a", ["MESH_CONTROL_PLANE"] = "https://198.19.0.1:15012", ["MESH_TOKEN_FILE"] = token,
            ["MESH_ROOT_CERT"] = root, ["MESH_MAX_CONNECTIONS"] = "500", ["MESH_DRAIN_TIMEOUT"] = "5s",
        };

        var options = ZtunnelOptions.Parse([], env.GetValueOrDefault);

        Assert.Equal("node-a", options.Node);
        Assert.Equal("node-a", options.Instance);
        Assert.Equal(new Uri("https://198.19.0.1:15012"), options.ControlPlane);
        Assert.Equal(500, options.Limits.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DrainTimeout);
    }

    [Fact]
    public void Parse_FlagBeatsTheEnvironment()
    {
        var args = new[] { "--node", "flag-node", "--control-plane", "https://198.19.0.1:15012", "--token-file", File("t"), "--root-cert", File("r") };

        Assert.Equal("flag-node", ZtunnelOptions.Parse(args, name => name is "NODE_NAME" or "MESH_NODE" ? "env-node" : null).Node);
    }

    [Theory]
    [InlineData("--node a --control-plane https://x:1 --tokenfile f", "--tokenfile")]
    [InlineData("--node a", "--control-plane (or $MESH_CONTROL_PLANE) is required")]
    [InlineData("--node a --control-plane http://x:1", "must be an https:// URL")]
    [InlineData("--node a --control-plane https://x:1 --token-file f --root-cert r --max-connections 0", "--max-connections '0'")]
    public void Parse_Wrong_OneLineSayingWhatToDo(string commandLine, string said)
    {
        var e = Assert.Throws<ZtunnelConfigException>(() => ZtunnelOptions.Parse(commandLine.Split(' '), _ => null));

        Assert.Contains(said, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
