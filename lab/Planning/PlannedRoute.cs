namespace Mesh.Lab.Planning;

/// <summary>One route the lab adds: <c>ip route add Destination [via Via] dev Device [scope link]</c>.</summary>
public sealed record PlannedRoute(string Destination, string? Via, string Device, bool ScopeLink)
{
    public string ToIpArgs() =>
        $"route add {Destination}{(Via is null ? "" : $" via {Via}")} dev {Device}{(ScopeLink ? " scope link" : "")}";
}
