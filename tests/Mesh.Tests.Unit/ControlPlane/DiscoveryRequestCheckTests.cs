using Mesh.ControlPlane.Discovery;
using Mesh.Core.Discovery;

namespace Mesh.Tests.Unit.ControlPlane;

public sealed class DiscoveryRequestCheckTests
{
    [Fact]
    public void Problem_EmptyOrResumingRequest_None()
    {
        Assert.Null(DiscoveryRequestCheck.Problem(new DiscoveryRequest()));
        Assert.Null(DiscoveryRequestCheck.Problem(new DiscoveryRequest
        {
            Epoch = "e1", Version = 5, Have = new() { ["workloads"] = new() { ["demo/a"] = "0123456789abcdef" } },
        }));
    }

    [Fact]
    public void Problem_UnknownKind_NamesItBounded()
    {
        var problem = DiscoveryRequestCheck.Problem(new DiscoveryRequest { Have = new() { [new string('k', 10_000)] = [] } });

        Assert.NotNull(problem);
        Assert.Contains("unknown kind", problem);
        Assert.InRange(problem.Length, 1, 300);
    }

    [Fact]
    public void Problem_TooManyEntries_AsksForFullState()
    {
        var hashes = Enumerable.Range(0, DiscoveryRequestCheck.MaxEntries + 1).ToDictionary(i => $"k{i}", _ => "h");

        var problem = DiscoveryRequestCheck.Problem(new DiscoveryRequest { Have = new() { ["workloads"] = hashes } });

        Assert.Contains("reconnect without 'have'", problem);
    }

    [Fact]
    public void Problem_LongKeyOrEpoch_Refused()
    {
        Assert.NotNull(DiscoveryRequestCheck.Problem(new DiscoveryRequest { Epoch = new string('e', 65) }));
        Assert.NotNull(DiscoveryRequestCheck.Problem(new DiscoveryRequest
        {
            Have = new() { ["services"] = new() { [new string('n', 600)] = "h" } },
        }));
    }
}
