namespace Mesh.Ztunnel;

/// <summary>ztunnel cannot start with the settings it was given; the message says what to change.</summary>
public sealed class ZtunnelConfigException(string message) : Exception(message);
