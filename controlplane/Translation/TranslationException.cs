namespace Mesh.ControlPlane.Translation;

/// <summary>Thrown inside the translation for one bad field; caught per object and turned into a <see cref="TranslationError"/>.</summary>
public sealed class TranslationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
