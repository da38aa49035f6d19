namespace Mesh.Cli.Cluster;

internal enum CheckStatus
{
    Ok,
    Fail,
    Skip,
}
