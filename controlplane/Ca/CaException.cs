namespace Mesh.ControlPlane.Ca;

/// <summary>The CA cannot start or rotate; the message says what to do.</summary>
public sealed class CaException(string message, Exception? inner = null) : Exception(message, inner);
