namespace Mesh.Tests.Common.E2E;

/// <summary>What <see cref="SplitJudge"/> made of a traffic split: the count, what was expected, and how far off it is.</summary>
public sealed record SplitVerdict(bool Within, int Hits, int Total, double Expected, double Sigma, double Z, string Description);
