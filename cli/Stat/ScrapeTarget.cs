namespace Mesh.Cli.Stat;

/// <summary>
/// One proxy's metrics endpoint: a name for messages ("ztunnel node1"), the URL, and how to reach it: from inside a lab
/// network namespace (<see cref="NetnsPath"/>), or through the API server's pod proxy (<see cref="PodNamespace"/>/<see cref="PodName"/>).
/// </summary>
internal sealed record ScrapeTarget(string Name, Uri Url)
{
    public string? NetnsPath { get; init; }
    public string? PodNamespace { get; init; }
    public string? PodName { get; init; }
}
