using Mesh.Waypoint.Routing;
using static Mesh.Tests.Unit.Waypoint.RouteFixtures;

namespace Mesh.Tests.Unit.Waypoint;

public sealed class EndpointPickerTests
{
    private static readonly BackendEndpoint A = new(Pod("a", "198.18.1.3"), System.Net.IPEndPoint.Parse("198.18.1.3:8080"));
    private static readonly BackendEndpoint B = new(Pod("b", "198.18.1.4"), System.Net.IPEndPoint.Parse("198.18.1.4:8080"));

    [Fact]
    public void Pick_AvoidsFailedWhileOthersRemain()
    {
        var random = new Random(3);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Same(B, EndpointPicker.Pick([A, B], random, [A])));
    }

    [Fact]
    public void Pick_AllFailed_StillPicksOne()
    {
        Assert.Contains(EndpointPicker.Pick([A, B], new Random(3), [A, B]), new[] { A, B });
    }

    [Fact]
    public void Pick_Uniform()
    {
        var random = new Random(5);

        var a = Enumerable.Range(0, 1000).Count(_ => EndpointPicker.Pick([A, B], random) == A);

        Assert.InRange(a, 400, 600);
    }

    [Fact]
    public void Pick_Empty_Throws()
    {
        Assert.Throws<ArgumentException>(() => EndpointPicker.Pick([], new Random(1)));
    }
}
