using Mesh.Core.Discovery;
using Mesh.Core.Model;
using Mesh.Core.State;
using Mesh.Ztunnel;
using Mesh.Ztunnel.Host;
using Mesh.Ztunnel.Proxy;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Tests.Unit.Ztunnel.Host;

public sealed class ZtunnelServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ztunnel-host-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ZtunnelOptions Options()
    {
        var token = Path.Combine(_dir, "token");
        var root = Path.Combine(_dir, "root.pem");
        File.WriteAllText(token, "x");
        File.WriteAllText(root, "x");
        return ZtunnelOptions.Parse(["--node", "node-a", "--control-plane", "https://198.19.0.1:15012", "--token-file", token, "--root-cert", root],
            _ => null);
    }

    [Fact]
    public async Task AddZtunnel_EveryPartResolves_AndTheDiscoveryClientIsTheOneStateStore()
    {
        var services = new ServiceCollection().AddLogging().AddZtunnel(Options());
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.NotNull(provider.GetRequiredService<MeshHost>());
        var store = provider.GetRequiredService<DiscoveryClient>().State;
        Assert.Same(store, provider.GetRequiredService<IReadOnlySnapshot<MeshState>>());
        Assert.Same(store, provider.GetRequiredService<ProxyInputs>().State);
    }
}
