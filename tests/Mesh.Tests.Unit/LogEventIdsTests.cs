extern alias cni;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Unit;

/// <summary>
/// Every [LoggerMessage] of the product has an event id of its own (within its assembly and across the solution) in
/// its component's range (ARCHITECTURE.md, "Names chosen once"). The source generator only sees one class at a time,
/// so two log classes of one component could share ids unnoticed.
/// </summary>
public sealed class LogEventIdsTests
{
    private static readonly (Assembly Assembly, int First, int Last)[] Components =
    [
        (typeof(Mesh.Ztunnel.ZtunnelOptions).Assembly, 3000, 3999),
        (typeof(Mesh.ControlPlane.ControlPlaneOptions).Assembly, 4000, 4999),
        (typeof(Mesh.Core.MeshLabels).Assembly, 5000, 5999),
        (typeof(Mesh.Core.Hbone.HboneClient).Assembly, 5000, 5999),
        (typeof(Mesh.Core.Discovery.DiscoveryClient).Assembly, 5000, 5999),
        (typeof(Mesh.Core.Metrics.MetricsRegistry).Assembly, 5000, 5999),
        (typeof(Mesh.Waypoint.WaypointOptions).Assembly, 6000, 6999),
        (typeof(Mesh.Cli.CliRunner).Assembly, 7000, 7499),
        (typeof(Mesh.Lab.LabException).Assembly, 7500, 7999),
        (typeof(cni::Mesh.Cni.CniPlugin).Assembly, 8000, 8999),
        (typeof(Mesh.Native.Libraries).Assembly, 9000, 9999),
    ];

    [Fact]
    public void LoggerMessages_EveryProductAssembly_EventIdsUniqueAndInRange()
    {
        var events = Components.SelectMany(c => EventsOf(c.Assembly).Select(e => (e.Id, e.Method, c.First, c.Last))).ToList();

        var problems = Problems(events);

        Assert.True(events.Count > 80, $"found only {events.Count} [LoggerMessage] methods: the reflection misses some");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Problems_TwoMethodsOneIdOutOfRange_NamesBothAndTheRange()
    {
        var problems = Problems([(3100, "MeshHostLog.Starting", 3000, 3999), (3100, "RedirectionLog.ProgramsLoaded", 3000, 3999), (4000, "Stray.Log", 3000, 3999)]);

        Assert.Equal(
        [
            "event id 3100: MeshHostLog.Starting and RedirectionLog.ProgramsLoaded",
            "event id 4000 of Stray.Log is outside its component's range 3000-3999",
        ], problems);
    }

    private static List<string> Problems(IReadOnlyList<(int Id, string Method, int First, int Last)> events)
    {
        var problems = events.GroupBy(e => e.Id).Where(g => g.Count() > 1)
            .Select(g => $"event id {g.Key}: {string.Join(" and ", g.Select(e => e.Method).Order(StringComparer.Ordinal))}").ToList();
        problems.AddRange(events.Where(e => e.Id < e.First || e.Id > e.Last)
            .Select(e => $"event id {e.Id} of {e.Method} is outside its component's range {e.First}-{e.Last}"));
        return problems;
    }

    private static IEnumerable<(int Id, string Method)> EventsOf(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select (attribute.EventId, $"{assembly.GetName().Name}:{type.FullName}.{method.Name}");
}
