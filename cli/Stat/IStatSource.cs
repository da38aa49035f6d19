namespace Mesh.Cli.Stat;

/// <summary>Where the rows of <c>meshctl stat</c>/<c>top</c> come from: the proxies' endpoints, or a Prometheus server.</summary>
internal interface IStatSource : IDisposable
{
    /// <summary>The next rows: the first call measures one interval, each later one the interval since the call before.</summary>
    Task<StatResult> NextAsync(CancellationToken ct);
}
