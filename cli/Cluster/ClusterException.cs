namespace Mesh.Cli.Cluster;

/// <summary>A cluster command could not do its job (the API server refused, an object is missing, helm failed): one line, exit 1.</summary>
internal sealed class ClusterException(string message) : Exception(message);
