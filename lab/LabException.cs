namespace Mesh.Lab;

/// <summary>A lab failure with a message that says what to do.</summary>
public sealed class LabException : Exception
{
    public LabException(string message) : base(message) { }
    public LabException(string message, Exception inner) : base(message, inner) { }
}
