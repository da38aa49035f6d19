namespace Mesh.Core.Hbone;

/// <summary>Handles one inbound tunnel: check policy, connect to the app, <see cref="HboneInboundRequest.Accept"/> and copy, or refuse.</summary>
public delegate Task HboneHandler(HboneInboundRequest request, CancellationToken cancellationToken);
