using System.Collections.Immutable;

namespace Mesh.Lab.Model;

/// <summary>A parsed lab file: Kubernetes-shaped objects, nodes implied by the pods.</summary>
public sealed record LabFile(
    string SourcePath,
    string BaseDirectory,
    ImmutableArray<LabNamespace> Namespaces,
    ImmutableArray<LabNode> Nodes,
    ImmutableArray<LabPod> Pods,
    ImmutableArray<LabService> Services,
    ImmutableArray<LabObject> Others);
