namespace Mesh.Fuzz;

/// <summary>A small mesh in cluster-folder YAML: the registry seed and the state behind the discovery targets.</summary>
internal static class SeedMesh
{
    public const string Yaml = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: demo, labels: { mesh.dev/dataplane-mode: ambient } }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: client, namespace: demo, labels: { app: client } }
        spec: { nodeName: node0, serviceAccountName: client }
        status: { podIP: 198.18.1.2 }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: echo-1, namespace: demo, labels: { app: web } }
        spec: { nodeName: node1, serviceAccountName: echo }
        status: { podIP: 198.18.2.2 }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: waypoint-0, namespace: demo, labels: { gateway.networking.k8s.io/gateway-name: waypoint } }
        spec: { nodeName: node1, serviceAccountName: waypoint }
        status: { podIP: 198.18.2.9 }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: echo, namespace: demo, labels: { mesh.dev/use-waypoint: waypoint } }
        spec:
          clusterIP: 198.19.128.10
          selector: { app: web }
          ports: [ { port: 80, targetPort: 8080 } ]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: { name: waypoint, namespace: demo }
        spec:
          gatewayClassName: mesh-waypoint
          listeners: [ { name: mesh, port: 15008, protocol: HBONE } ]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: { name: echo-split, namespace: demo }
        spec:
          parentRefs: [ { group: "", kind: Service, name: echo, port: 80 } ]
          rules:
          - matches: [ { path: { type: PathPrefix, value: /api }, method: GET } ]
            backendRefs: [ { name: echo, port: 80, weight: 90 } ]
            timeouts: { request: 2s }
            retry: { attempts: 3, codes: [503], backoff: 100ms }
        ---
        apiVersion: security.mesh.dev/v1
        kind: AuthorizationPolicy
        metadata: { name: echo-allow, namespace: demo }
        spec:
          selector: { matchLabels: { app: web } }
          action: ALLOW
          rules:
          - from: [ { source: { principals: ["cluster.local/ns/demo/sa/client"] } } ]
            to: [ { operation: { ports: ["8080"] } } ]

        """;
}
