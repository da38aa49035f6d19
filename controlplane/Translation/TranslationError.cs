namespace Mesh.ControlPlane.Translation;

/// <summary>
/// Why an object (or one of its fields) was not translated as written. The object is skipped (or, for
/// an authorization policy, replaced by a deny-all for its selector); the rest of the cluster is not affected.
/// </summary>
public sealed record TranslationError(string Kind, string Namespace, string Name, string Field, string Message)
{
    public override string ToString() =>
        $"{Kind} {(Namespace.Length == 0 ? Name : Namespace + "/" + Name)}: {Field}: {Message}";
}
