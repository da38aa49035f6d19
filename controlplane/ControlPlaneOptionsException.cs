namespace Mesh.ControlPlane;

/// <summary>A bad command line or configuration; the message says what to pass.</summary>
public sealed class ControlPlaneOptionsException(string message) : Exception(message);
