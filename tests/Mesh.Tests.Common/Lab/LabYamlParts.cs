namespace Mesh.Tests.Common.Lab;

/// <summary>
/// The lab YAML documents the mesh labs share, written once: the enrolled namespace "app" with its client on node1,
/// and the namespace "outside" the mesh. Join them with <see cref="Next"/>.
/// </summary>
public static class LabYamlParts
{
    /// <summary>The separator between two YAML documents.</summary>
    public const string Next = "\n---\n";

    /// <summary>Namespace "app", enrolled (ambient).</summary>
    public const string AppNamespace = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: app, labels: {mesh.dev/dataplane-mode: ambient}}
        """;

    /// <summary>Namespace "outside", not enrolled.</summary>
    public const string OutsideNamespace = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: outside}
        """;

    /// <summary>Pod "client" of "app" on node1 (service account client), idle until a test execs in it.</summary>
    public const string ClientPod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: app, labels: {app: client}}
        spec:
          nodeName: node1
          serviceAccountName: client
          containers: [{name: c, command: [sleep, infinity]}]
        """;
}
