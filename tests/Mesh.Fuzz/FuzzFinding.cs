namespace Mesh.Fuzz;

/// <summary>A property the harness checks failed (not an exception of the code under test).</summary>
internal sealed class FuzzFinding(string message) : Exception(message);
