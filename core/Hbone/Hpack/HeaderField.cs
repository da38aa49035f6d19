namespace Mesh.Core.Hbone.Hpack;

/// <summary>
/// One header field. HPACK strings are octets; they are held as Latin-1 strings (one char per octet),
/// so <see cref="string.Length"/> is the octet length.
/// </summary>
public readonly record struct HeaderField(string Name, string Value)
{
    /// <summary>RFC 7541 section 4.1: name octets + value octets + 32.</summary>
    public int Size => Name.Length + Value.Length + 32;

    public override string ToString() => $"{Name}: {Value}";
}
