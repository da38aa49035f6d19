namespace Mesh.Tests.Unit.NamespaceSamples.Upper;

/// <summary>A sample for <see cref="NamespaceCyclesTests"/>: uses the lower namespace in a signature.</summary>
public sealed class UpperWidget
{
    public static Lower.LowerPart Make() => new();
}
