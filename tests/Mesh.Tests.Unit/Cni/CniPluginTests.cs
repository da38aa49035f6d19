extern alias cni;

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using cni::Mesh.Cni;
using Mesh.Core.NodeAgent;

namespace Mesh.Tests.Unit.Cni;

/// <summary>mesh-cni's decisions without ztunnel: environment and config errors, and ADD when ztunnel cannot be reached.</summary>
public sealed class CniPluginTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-cni-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Socket => Path.Combine(_dir, "cni.sock");
    private string Netns => Path.Combine(_dir, "netns");

    private const string Prev = """{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"interface":0,"address":"198.18.1.5/24","gateway":"198.18.1.1"}],"dns":{}}""";

    private string Config(bool withPrev = true, string version = "1.0.0") =>
        $$"""{"cniVersion":"{{version}}","name":"net","type":"mesh-cni","nodeAgentSocket":"{{Socket}}","timeoutSeconds":2{{(withPrev ? ",\"prevResult\":" + Prev : "")}}}""";

    private Func<string, string?> Env(string command, string ns = "app", string? netns = null) => new Dictionary<string, string?>
    {
        ["CNI_COMMAND"] = command, ["CNI_CONTAINERID"] = "c1", ["CNI_NETNS"] = netns ?? Netns, ["CNI_IFNAME"] = "eth0",
        ["CNI_ARGS"] = $"IgnoreUnknown=1;K8S_POD_NAMESPACE={ns};K8S_POD_NAME=web;K8S_POD_UID=aaaaaaaa-0000-0000-0000-000000000001",
    }.GetValueOrDefault;

    private static (int Exit, JsonNode? Output) Run(Func<string, string?> env, string stdin)
    {
        using var output = new MemoryStream();
        var exit = CniPlugin.Run(env, Encoding.UTF8.GetBytes(stdin), output);
        var text = Encoding.UTF8.GetString(output.ToArray());
        return (exit, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private void WriteEnrollment(bool appEnrolled) => File.WriteAllText(NodeAgentWire.EnrollmentFile(Socket),
        JsonSerializer.Serialize(new NamespaceEnrollment { Node = "n1", Namespaces = new() { ["app"] = appEnrolled } }, NodeAgentJson.Default.NamespaceEnrollment));

    [Fact]
    public void Add_ZtunnelDownNamespaceEnrolled_TryAgainLaterNamingTheSocket()
    {
        File.WriteAllText(Netns, "");
        WriteEnrollment(appEnrolled: true);

        var (exit, output) = Run(Env("ADD"), Config());

        Assert.Equal(1, exit);
        Assert.Equal(11, output!["code"]!.GetValue<int>());
        Assert.Contains($"cannot reach ztunnel at {Socket}", output["msg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("enrolled namespace app", output["msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Add_ZtunnelDownNamespaceNotEnrolled_PassesThePreviousResultOn()
    {
        File.WriteAllText(Netns, "");
        WriteEnrollment(appEnrolled: false);

        var (exit, output) = Run(Env("ADD"), Config(version: "0.4.0"));

        Assert.Equal(0, exit);
        var expected = JsonNode.Parse(Prev)!;
        expected["cniVersion"] = "0.4.0";
        Assert.True(JsonNode.DeepEquals(expected, output), output!.ToJsonString());
    }

    [Fact]
    public void Add_ZtunnelDownNoEnrollmentKnown_FailsClosed()
    {
        File.WriteAllText(Netns, "");

        var (exit, output) = Run(Env("ADD"), Config());

        Assert.Equal(1, exit);
        Assert.Equal(11, output!["code"]!.GetValue<int>());
    }

    [Fact]
    public void Del_ZtunnelDownOrConfigBroken_SucceedsWithoutOutput()
    {
        Assert.Equal((0, (JsonNode?)null), Run(Env("DEL"), Config(withPrev: false)));
        Assert.Equal((0, (JsonNode?)null), Run(Env("DEL"), "{broken"));
    }

    [Theory]
    [InlineData("", "{}", 4, "CNI_COMMAND is not set")]
    [InlineData("FOO", "{}", 4, "not ADD, DEL, CHECK or VERSION")]
    [InlineData("ADD", "", 6, "no network configuration")]
    [InlineData("ADD", "[1]", 6, "must be a JSON object")]
    [InlineData("ADD", """{"name":"n"}""", 7, "cniVersion is missing")]
    [InlineData("ADD", """{"cniVersion":"1.0.0","name":"n","nodeAgentSocket":"relative.sock"}""", 7, "absolute path")]
    [InlineData("ADD", """{"cniVersion":"1.0.0","name":"n","timeoutSeconds":"x"}""", 7, "timeoutSeconds")]
    public void Run_BadEnvironmentOrConfig_OneCniError(string command, string stdin, int code, string says)
    {
        File.WriteAllText(Netns, "");
        var env = command.Length == 0 ? (_ => null) : Env(command);

        var (exit, output) = Run(env, stdin);

        Assert.Equal(1, exit);
        Assert.Equal(code, output!["code"]!.GetValue<int>());
        Assert.Contains(says, output["msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void ParseArgs_NotKeyValue_InvalidEnvironment()
    {
        var e = Assert.Throws<CniException>(() => CniInvocation.ParseArgs("IgnoreUnknown=1;oops"));
        Assert.Equal(CniException.InvalidEnvironment, e.Code);
        Assert.Equal("b", CniInvocation.ParseArgs("a=b; K8S_POD_UID=u")["a"]);
    }

    [Fact]
    public void PrevResultIps_AddressesWithPrefix_AddressesOnly()
    {
        using var config = CniConfig.Parse(Encoding.UTF8.GetBytes(Config()));

        Assert.Equal(["198.18.1.5"], config.PrevResultIps());
    }

    [Fact]
    public void Version_AnyConfig_SupportedVersions()
    {
        var (exit, output) = Run(new Dictionary<string, string?> { ["CNI_COMMAND"] = "VERSION" }.GetValueOrDefault, "");

        Assert.Equal(0, exit);
        Assert.Equal(["0.3.0", "0.3.1", "0.4.0", "1.0.0"], output!["supportedVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
    }
}
