namespace Mesh.Cni.Install;

/// <summary>The installer cannot do its job (a bad flag, an unreadable or unchainable conf list); the message says what to do.</summary>
public sealed class CniInstallException(string message) : Exception(message);
