extern alias cni;

using System.Text.Json.Nodes;
using cni::Mesh.Cni.Install;

namespace Mesh.Tests.Unit.Cni.Install;

/// <summary>Which conf file the runtime uses, and mesh-cni chained into (and out of) the conf lists network plugins write.</summary>
public sealed class ConfListChainTests
{
    private const string Socket = "/var/run/mesh/cni.sock";

    private static JsonArray Plugins(string text) => JsonNode.Parse(text)!["plugins"]!.AsArray();

    private static List<string> Types(string text) => [.. Plugins(text).Select(p => p!["type"]!.ToString())];

    [Fact]
    public void SelectConfFile_SeveralFiles_IsTheLexicallyFirstCniConfiguration()
    {
        Assert.Equal("10-kindnet.conflist", ConfListChain.SelectConfFile(["99-loopback.conf", "10-kindnet.conflist", "05-readme.txt", ".10-kindnet.conflist.mesh.tmp", "20-x.json"]));
        Assert.Equal("10-mynet.conf", ConfListChain.SelectConfFile(["10-mynet.conflist", "10-mynet.conf"]));
        Assert.Null(ConfListChain.SelectConfFile(["README", "calico-kubeconfig"]));
    }

    [Theory]
    [InlineData(ConfLists.Kindnet, "ptp")]
    [InlineData(ConfLists.Containerd, "bridge")]
    public void Chain_NetworkPluginsList_AppendsMeshCniLastAndKeepsEveryOtherPlugin(string original, string first)
    {
        var result = ConfListChain.Chain("10-net.conflist", original, Socket);

        Assert.True(result.Changed);
        Assert.Equal("10-net.conflist", result.FileName);
        Assert.Equal([first, "portmap", "mesh-cni"], Types(result.Text));
        Assert.Equal(Socket, Plugins(result.Text)[^1]!["nodeAgentSocket"]!.ToString());
        var before = JsonNode.Parse(original)!.AsObject();
        var after = JsonNode.Parse(result.Text)!.AsObject();
        Assert.Equal(before["cniVersion"]!.ToString(), after["cniVersion"]!.ToString());
        Assert.Equal(before["name"]!.ToString(), after["name"]!.ToString());
        Assert.True(JsonNode.DeepEquals(before["plugins"]![0], after["plugins"]![0]), "the network plugin's own entry must be unchanged");
    }

    [Fact]
    public void Chain_AlreadyChained_IsUnchanged()
    {
        var once = ConfListChain.Chain("10-kindnet.conflist", ConfLists.Kindnet, Socket);

        var twice = ConfListChain.Chain("10-kindnet.conflist", once.Text, Socket);

        Assert.False(twice.Changed);
        Assert.Equal(once.Text, twice.Text);
    }

    [Fact]
    public void Chain_OursNotLastOrAnotherSocket_LeavesExactlyOneEntryLast()
    {
        var list = JsonNode.Parse(ConfLists.Kindnet)!;
        list["plugins"]!.AsArray().Insert(1, new JsonObject { ["type"] = "mesh-cni", ["nodeAgentSocket"] = "/old/cni.sock" });

        var result = ConfListChain.Chain("10-kindnet.conflist", list.ToJsonString(), Socket);

        Assert.True(result.Changed);
        Assert.Equal(["ptp", "portmap", "mesh-cni"], Types(result.Text));
        Assert.Equal(Socket, Plugins(result.Text)[^1]!["nodeAgentSocket"]!.ToString());
    }

    [Fact]
    public void Chain_SinglePluginConf_BecomesAConfListOfTheSameName()
    {
        var result = ConfListChain.Chain("10-mynet.conf", ConfLists.MynetConf, Socket);

        Assert.True(result.Changed);
        Assert.Equal("10-mynet.conflist", result.FileName);
        var list = JsonNode.Parse(result.Text)!;
        Assert.Equal("mynet", list["name"]!.ToString());
        // 0.2.0 has no conf lists; mesh-cni takes 0.3.0 and later.
        Assert.Equal("0.3.1", list["cniVersion"]!.ToString());
        Assert.Equal(["bridge", "mesh-cni"], Types(result.Text));
        Assert.Equal("10.22.0.0/16", Plugins(result.Text)[0]!["ipam"]!["subnet"]!.ToString());
        Assert.Null(Plugins(result.Text)[0]!["name"]);
    }

    [Fact]
    public void Unchain_ChainedList_RestoresTheNetworkPluginsList()
    {
        var chained = ConfListChain.Chain("10-containerd-net.conflist", ConfLists.Containerd, Socket);

        var unchained = ConfListChain.Unchain("10-containerd-net.conflist", chained.Text);

        Assert.True(unchained.Changed);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ConfLists.Containerd), JsonNode.Parse(unchained.Text)));
        Assert.False(ConfListChain.Unchain("10-containerd-net.conflist", unchained.Text).Changed);
    }

    [Theory]
    [InlineData("{\"cniVersion\": \"1.0.0\", \"plugins\": [", "is not valid JSON")]
    [InlineData("[1, 2]", "is not a JSON object")]
    [InlineData("{\"cniVersion\": \"1.0.0\", \"name\": \"x\"}", "neither a 'plugins' list nor a plugin 'type'")]
    [InlineData("{\"cniVersion\": \"1.0.0\", \"name\": \"x\", \"plugins\": [{\"type\": \"mesh-cni\"}]}", "lists no network plugin")]
    public void Chain_Unchainable_FailsNamingTheFile(string text, string reason)
    {
        var e = Assert.Throws<CniInstallException>(() => ConfListChain.Chain("10-net.conflist", text, Socket));

        Assert.Contains("10-net.conflist", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }
}
