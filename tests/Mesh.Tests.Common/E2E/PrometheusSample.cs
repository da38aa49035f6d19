namespace Mesh.Tests.Common.E2E;

/// <summary>One sample of a Prometheus text exposition: the metric name, its labels and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
