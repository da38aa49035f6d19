namespace Mesh.Native.Check;

/// <summary>The outcome of one machine check: what was checked, what was found, what to do when it failed.</summary>
public sealed record CheckResult(string Name, bool Ok, string Detail, string Fix)
{
    /// <summary>One line: "ok   name: detail" or "FAIL name: detail -> fix".</summary>
    public override string ToString() => Ok ? $"ok    {Name}: {Detail}" : $"FAIL  {Name}: {Detail} -> {Fix}";
}
