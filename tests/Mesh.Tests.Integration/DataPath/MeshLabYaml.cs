using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.DataPath;

/// <summary>The lab of the mesh tests: an enrolled namespace with a client on node1 and an echo server on node2, and a non-mesh pod.</summary>
internal static class MeshLabYaml
{
    public const string TwoNodes = LabYamlParts.AppNamespace + LabYamlParts.Next + LabYamlParts.OutsideNamespace + LabYamlParts.Next + LabYamlParts.ClientPod + LabYamlParts.Next + """
        apiVersion: v1
        kind: Pod
        metadata: {name: server, namespace: app, labels: {app: server}}
        spec:
          nodeName: node2
          serviceAccountName: server
          containers: [{name: s, command: ["{{echo}}"], args: [--port, "8080"]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: plain, namespace: outside, labels: {app: plain}}
        spec:
          nodeName: node1
          containers: [{name: p, command: [sleep, infinity]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: server, namespace: app}
        spec:
          selector: {app: server}
          ports: [{port: 80, targetPort: 8080}]
        """;

    /// <summary>A second client with its own service account, and a DENY policy naming only the first client.</summary>
    public const string DenyFirstClient = TwoNodes + """

        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: other, namespace: app, labels: {app: other}}
        spec:
          nodeName: node1
          serviceAccountName: other
          containers: [{name: c, command: [sleep, infinity]}]
        ---
        apiVersion: security.mesh.dev/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-client, namespace: app}
        spec:
          selector: {matchLabels: {app: server}}
          action: DENY
          rules:
          - from: [{source: {principals: ["cluster.local/ns/app/sa/client"]}}]
            to: [{operation: {ports: ["8080"]}}]
        """;
}
