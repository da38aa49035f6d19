using Mesh.Ztunnel;
using Mesh.Ztunnel.Limits;

namespace Mesh.Tests.Unit.Ztunnel;

public sealed class ProxyLimitFlagsTests
{
    [Fact]
    public void Take_AllFlags_SetEveryLimitAndConsumeThem()
    {
        var values = new Dictionary<string, string>
        {
            ["connect-timeout"] = "500ms", ["handshake-timeout"] = "3s", ["connection-idle-timeout"] = "2m", ["stream-idle-timeout"] = "0",
            ["max-handshakes"] = "16", ["max-connections"] = "1000", ["max-connections-per-pod"] = "200", ["max-connections-per-peer"] = "50",
            ["max-streams-per-connection"] = "10", ["other"] = "x",
        };

        var l = ProxyLimitFlags.Take(values);

        Assert.Equal(new ProxyLimits
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(500), HandshakeTimeout = TimeSpan.FromSeconds(3), ConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            StreamIdleTimeout = TimeSpan.Zero, MaxHandshakes = 16, MaxConnections = 1000, MaxConnectionsPerPod = 200, MaxConnectionsPerPeer = 50,
            MaxStreamsPerConnection = 10,
        }, l);
        Assert.Equal(["other"], values.Keys);
    }

    [Theory]
    [InlineData("connect-timeout", "10")]
    [InlineData("connect-timeout", "0")]
    [InlineData("handshake-timeout", "-1s")]
    [InlineData("max-connections-per-pod", "0")]
    [InlineData("max-connections-per-peer", "many")]
    public void Take_BadValue_OneLineNamingTheFlag(string flag, string value)
    {
        var e = Assert.Throws<ZtunnelConfigException>(() => ProxyLimitFlags.Take(new Dictionary<string, string> { [flag] = value }));

        Assert.StartsWith($"--{flag} '{value}'", e.Message, StringComparison.Ordinal);
    }
}
