namespace Mesh.Cli.Stat;

/// <summary>A stat or top that cannot get its numbers (an endpoint unreachable, a Prometheus query refused): one line, exit 1.</summary>
internal sealed class StatException(string message) : Exception(message);
