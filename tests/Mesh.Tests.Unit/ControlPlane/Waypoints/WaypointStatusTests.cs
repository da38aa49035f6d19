using System.Text.Json.Nodes;
using Mesh.ControlPlane.Waypoints;

namespace Mesh.Tests.Unit.ControlPlane.Waypoints;

public sealed class WaypointStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 13, 0, 0, TimeSpan.Zero);

    private static JsonObject Service(string? clusterIp) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "waypoint", ["namespace"] = "apps" },
        ["spec"] = clusterIp is null ? new JsonObject() : new JsonObject { ["clusterIP"] = clusterIp, ["clusterIPs"] = new JsonArray(clusterIp) },
    };

    private static JsonObject Condition(JsonObject status, string type) =>
        status["conditions"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["type"] == type);

    [Fact]
    public void Desired_ServiceWithClusterIp_AcceptedProgrammedWithItsAddress()
    {
        var status = WaypointStatus.Desired(WaypointPlanTests.Gateway(generation: 3), Service("10.96.0.12"), Now);

        var accepted = Condition(status, "Accepted");
        var programmed = Condition(status, "Programmed");
        Assert.Equal(("True", "Accepted", 3L), ((string)accepted["status"]!, (string)accepted["reason"]!, (long)accepted["observedGeneration"]!));
        Assert.Equal(("True", "Programmed", 3L), ((string)programmed["status"]!, (string)programmed["reason"]!, (long)programmed["observedGeneration"]!));
        Assert.Contains("waypoint.apps.svc.cluster.local:15008", (string)programmed["message"]!);
        Assert.Equal("2026-12-01T13:00:00Z", (string)programmed["lastTransitionTime"]!);
        var address = Assert.Single(status["addresses"]!.AsArray())!;
        Assert.Equal(("IPAddress", "10.96.0.12"), ((string)address["type"]!, (string)address["value"]!));
    }

    [Theory]
    [InlineData(false, "waiting for the Service apps/waypoint to be created")]
    [InlineData(true, "the Service apps/waypoint has no cluster IP yet")]
    public void Desired_NoClusterIp_ProgrammedFalseAddressNotAssigned(bool serviceExists, string message)
    {
        var status = WaypointStatus.Desired(WaypointPlanTests.Gateway(), serviceExists ? Service(null) : null, Now);

        var programmed = Condition(status, "Programmed");
        Assert.Equal(("False", "AddressNotAssigned", message), ((string)programmed["status"]!, (string)programmed["reason"]!, (string)programmed["message"]!));
        Assert.Equal("True", (string)Condition(status, "Accepted")["status"]!);
        Assert.Empty(status["addresses"]!.AsArray());
    }

    [Fact]
    public void Desired_StatusUnchanged_KeepsLastTransitionTimeAndIsCurrent()
    {
        var gateway = WaypointPlanTests.Gateway();
        gateway["status"] = WaypointStatus.Desired(gateway, Service("10.96.0.12"), Now);

        var later = WaypointStatus.Desired(gateway, Service("10.96.0.12"), Now.AddHours(1));

        Assert.Equal("2026-12-01T13:00:00Z", (string)Condition(later, "Programmed")["lastTransitionTime"]!);
        Assert.True(WaypointStatus.IsCurrent(gateway, later));
    }

    [Fact]
    public void IsCurrent_NewGenerationOrAddress_NeedsWrite()
    {
        var gateway = WaypointPlanTests.Gateway();
        gateway["status"] = WaypointStatus.Desired(gateway, Service("10.96.0.12"), Now);
        var bumped = WaypointPlanTests.Gateway(generation: 2);
        bumped["status"] = gateway["status"]!.DeepClone();

        Assert.False(WaypointStatus.IsCurrent(bumped, WaypointStatus.Desired(bumped, Service("10.96.0.12"), Now)));
        Assert.False(WaypointStatus.IsCurrent(gateway, WaypointStatus.Desired(gateway, Service("10.96.0.99"), Now)));
        Assert.False(WaypointStatus.IsCurrent(WaypointPlanTests.Gateway(), WaypointStatus.Desired(gateway, Service("10.96.0.12"), Now)));
    }

    [Fact]
    public void Desired_ProgrammedTurnsTrue_NewTransitionTime()
    {
        var gateway = WaypointPlanTests.Gateway();
        gateway["status"] = WaypointStatus.Desired(gateway, null, Now);

        var programmed = Condition(WaypointStatus.Desired(gateway, Service("10.96.0.12"), Now.AddSeconds(5)), "Programmed");

        Assert.Equal("2026-12-01T13:00:05Z", (string)programmed["lastTransitionTime"]!);
    }
}
