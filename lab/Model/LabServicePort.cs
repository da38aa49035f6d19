namespace Mesh.Lab.Model;

/// <summary>One port of a Service: clients connect to <see cref="Port"/> on the VIP, pods listen on <see cref="TargetPort"/>.</summary>
public sealed record LabServicePort(string? Name, int Port, int TargetPort, string Protocol, string? AppProtocol);
