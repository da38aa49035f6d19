namespace Mesh.Tests.Unit.NamespaceSamples.Lower;

/// <summary>A sample for <see cref="NamespaceCyclesTests"/>: uses the upper namespace only inside a lambda's body.</summary>
public sealed class LowerPart
{
    public static Func<object> Later() => static () => new Upper.UpperWidget();
}
