using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>The current <see cref="RouteTable"/>: one writer (the discovery client's state changes) swaps it whole; requests read it without locks.</summary>
public sealed class RouteTableStore(NamespacedName waypoint)
{
    private volatile RouteTable _current = RouteTable.Build(MeshState.Empty, waypoint);
    private volatile bool _synced;

    public RouteTable Current => _current;

    /// <summary>True once a first state from the control plane has been applied.</summary>
    public bool Synced => _synced;

    public void Update(MeshState state)
    {
        _current = RouteTable.Build(state, waypoint);
        _synced = true;
    }
}
