using System.Collections.Immutable;
using System.Net;

namespace Mesh.Lab.Model;

/// <summary>
/// A Service of the lab file. <see cref="ClusterIp"/> is the address the file asked for (null: allocate one);
/// <see cref="Headless"/> is <c>clusterIP: None</c>.
/// </summary>
public sealed record LabService(
    string Namespace,
    string Name,
    ImmutableSortedDictionary<string, string> Labels,
    ImmutableSortedDictionary<string, string> Selector,
    ImmutableArray<LabServicePort> Ports,
    IPAddress? ClusterIp,
    bool Headless,
    int Line,
    string Yaml);
