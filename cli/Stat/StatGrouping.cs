namespace Mesh.Cli.Stat;

/// <summary>What one row of <c>meshctl stat</c> stands for.</summary>
internal enum StatGrouping
{
    /// <summary>A destination workload (pod name): HTTP from the waypoints, TCP from the destination ztunnels.</summary>
    Workload,

    /// <summary>An HTTPRoute (the waypoint's <c>route_name</c> label) of a destination service.</summary>
    Route,
}
