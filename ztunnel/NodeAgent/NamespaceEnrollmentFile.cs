using Mesh.Core.Model;
using Mesh.Core.NodeAgent;

namespace Mesh.Ztunnel.NodeAgent;

/// <summary>
/// Keeps <see cref="NodeAgentWire.EnrollmentFile"/> next to the socket in line with the namespaces the control plane
/// pushed, so mesh-cni can let pods of namespaces that are not enrolled start while ztunnel is down. Written atomically
/// (temp file + rename) and only when the enrollment changed.
/// </summary>
public sealed class NamespaceEnrollmentFile(string socketPath, string node)
{
    private readonly string _path = NodeAgentWire.EnrollmentFile(socketPath);
    private readonly Lock _lock = new();
    private string? _last;

    public string Path => _path;

    public void Update(MeshState state)
    {
        if (state.Version == 0)
        {
            return;
        }
        var namespaces = state.Namespaces.ToDictionary(n => n.Name, n => n.Captured, StringComparer.Ordinal);
        var json = System.Text.Json.JsonSerializer.Serialize(new NamespaceEnrollment { Node = node, Namespaces = namespaces }, NodeAgentJson.Default.NamespaceEnrollment);
        lock (_lock)
        {
            if (json == _last)
            {
                return;
            }
            var temp = $"{_path}.tmp{Environment.ProcessId}";
            File.WriteAllText(temp, json);
            File.Move(temp, _path, overwrite: true);
            _last = json;
        }
    }
}
