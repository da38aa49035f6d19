using Mesh.Tests.Common.Lab;

namespace Mesh.Tests.Integration.Waypoint;

/// <summary>
/// The waypoint lab: namespace app (ambient) with a client on node1, a waypoint pod on node2 (Gateway "waypoint",
/// class mesh-waypoint), two echo versions on different nodes behind services echo-v1 and echo-v2, and the service
/// "echo" (both versions) labelled to use the waypoint with an HTTPRoute attached to it. The route's spec is
/// <c>{{rules}}</c>; the echo Service's annotations are <c>{{echoAnnotations}}</c>.
/// </summary>
internal static class WaypointLabYaml
{
    public const string Base = LabYamlParts.AppNamespace + LabYamlParts.Next + LabYamlParts.ClientPod + LabYamlParts.Next + """
        apiVersion: v1
        kind: Pod
        metadata: {name: waypoint, namespace: app, labels: {gateway.networking.k8s.io/gateway-name: waypoint}}
        spec:
          nodeName: node2
          serviceAccountName: waypoint
          containers: [{name: w, command: ["{{waypoint}}"]{{waypointEnv}}}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: echo-v1, namespace: app, labels: {app: echo, version: v1}}
        spec:
          nodeName: node2
          serviceAccountName: echo
          containers: [{name: s, command: ["{{echo}}"], args: [--port, "8080", --quiet]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: echo-v2, namespace: app, labels: {app: echo, version: v2}}
        spec:
          nodeName: node1
          serviceAccountName: echo
          containers: [{name: s, command: ["{{echo}}"], args: [--port, "8080", --quiet{{v2args}}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: echo, namespace: app, labels: {mesh.dev/use-waypoint: waypoint}{{echoAnnotations}}}
        spec:
          selector: {app: echo}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: echo-v1, namespace: app}
        spec:
          selector: {app: echo, version: v1}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: echo-v2, namespace: app}
        spec:
          selector: {app: echo, version: v2}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: waypoint, namespace: app}
        spec:
          gatewayClassName: mesh-waypoint
          listeners: [{name: mesh, port: 15008, protocol: HBONE}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: echo, namespace: app}
        spec:
          parentRefs: [{group: "", kind: Service, name: echo, port: 80}]
          rules:
        {{rules}}
        """;

    /// <summary>80/20 between the two versions.</summary>
    public const string SplitRules = """
          - backendRefs:
            - {name: echo-v1, port: 80, weight: 80}
            - {name: echo-v2, port: 80, weight: 20}
        """;

    /// <summary>One backend, retried on 503 up to 3 times (10 ms backoff), within a generous 10 s request timeout.</summary>
    public const string RetryRules = """
          - backendRefs: [{name: echo-v1, port: 80}]
            timeouts: {request: 10s}
            retry: {attempts: 3, codes: [503], backoff: 10ms}
        """;

    /// <summary>One backend, retried on 503 up to 5 times (10 ms backoff) under the default retry budget.</summary>
    public const string BudgetRules = """
          - backendRefs: [{name: echo-v1, port: 80}]
            timeouts: {request: 10s}
            retry: {attempts: 5, codes: [503], backoff: 10ms}
        """;

    /// <summary>One backend with a 1 s request timeout.</summary>
    public const string TimeoutRules = """
          - backendRefs: [{name: echo-v1, port: 80}]
            timeouts: {request: 1s}
        """;

    /// <summary>An ALLOW policy for the echo service enforced by the waypoint (targetRefs): GET only. Append to rules.</summary>
    public const string AllowGetOnlyPolicy = """

        ---
        apiVersion: security.mesh.dev/v1
        kind: AuthorizationPolicy
        metadata: {name: get-only, namespace: app}
        spec:
          targetRefs: [{kind: Service, group: "", name: echo}]
          action: ALLOW
          rules: [{to: [{operation: {methods: [GET]}}]}]
        """;

    /// <summary>The echo service to itself: both pods are the endpoints the balancer chooses from.</summary>
    public const string BothPodsRules = """
          - backendRefs: [{name: echo, port: 80}]
        """;

    /// <summary>Both pods, retried on 503 up to 3 times (10 ms backoff), within a 10 s request timeout.</summary>
    public const string BothPodsRetryRules = """
          - backendRefs: [{name: echo, port: 80}]
            timeouts: {request: 10s}
            retry: {attempts: 3, codes: [503], backoff: 10ms}
        """;

    /// <summary>The echo Service's circuit breaker: the default 7 failures in a row, a 3 s first penalty, no jitter.</summary>
    public const string FastCircuitBreaker =
        "balancer.mesh.dev/failure-accrual-min-penalty: 3s, balancer.mesh.dev/failure-accrual-jitter-ratio: \"0\"";

    /// <summary>
    /// Every HTTPRoute filter, one rule each: /headers (request set/add/remove, response add/remove), /old (redirect
    /// 301 to https://new.example/new/...), /v1 (URLRewrite prefix to /v2), /mirror (a copy to echo-v2), /backend
    /// (a backendRef's own header filter). Primary backend echo-v1 throughout.
    /// </summary>
    public const string FilterRules = """
          - matches: [{path: {type: PathPrefix, value: /headers}}]
            filters:
            - type: RequestHeaderModifier
              requestHeaderModifier:
                set: [{name: x-set, value: set-by-route}]
                add: [{name: x-add, value: added-by-route}]
                remove: [x-drop]
            - type: ResponseHeaderModifier
              responseHeaderModifier:
                add: [{name: x-route, value: filters}]
                remove: [x-echo-pod]
            backendRefs: [{name: echo-v1, port: 80}]
          - matches: [{path: {type: PathPrefix, value: /old}}]
            filters:
            - type: RequestRedirect
              requestRedirect: {scheme: https, hostname: new.example, statusCode: 301, path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}
          - matches: [{path: {type: PathPrefix, value: /v1}}]
            filters:
            - type: URLRewrite
              urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
            backendRefs: [{name: echo-v1, port: 80}]
          - matches: [{path: {type: PathPrefix, value: /mirror}}]
            filters:
            - type: RequestMirror
              requestMirror: {backendRef: {name: echo-v2, port: 80}}
            backendRefs: [{name: echo-v1, port: 80}]
          - matches: [{path: {type: PathPrefix, value: /backend}}]
            backendRefs:
            - name: echo-v1
              port: 80
              filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-backend-filter, value: echo-v1}]}}]

        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: broken, namespace: app}
        spec:
          parentRefs: [{group: "", kind: Service, name: echo, port: 80}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /broken}}]
            filters: [{type: Teleport}]
            backendRefs: [{name: echo-v2, port: 80}]
        """;

    /// <summary>
    /// A gRPC service through the waypoint: the Service grpc-echo (the echo-v1 pod, using the waypoint) with a GRPCRoute
    /// to echo-v1 retrying UNAVAILABLE up to 5 times (<c>retry.mesh.dev/grpc</c>) under the default budget. Append to rules.
    /// </summary>
    public const string GrpcRoute = """

        ---
        apiVersion: v1
        kind: Service
        metadata: {name: grpc-echo, namespace: app, labels: {mesh.dev/use-waypoint: waypoint}}
        spec:
          selector: {app: echo, version: v1}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: GRPCRoute
        metadata:
          name: grpc-echo
          namespace: app
          annotations: {retry.mesh.dev/grpc: unavailable, retry.mesh.dev/limit: "5"}
        spec:
          parentRefs: [{group: "", kind: Service, name: grpc-echo, port: 80}]
          rules:
          - matches: [{method: {service: echo.Echo}}]
            backendRefs: [{name: echo-v1, port: 80}]
        """;

    public static string With(string rules) => WithSlowV2(rules, latencyMs: 0);

    /// <summary>The OTLP/HTTP receiver's address inside the waypoint pod (its loopback): where the test listens.</summary>
    public const int OtlpPort = 4318;

    /// <summary>As <see cref="With"/>, with the waypoint exporting spans to its pod's loopback port <see cref="OtlpPort"/>, every new trace sampled.</summary>
    public static string WithTracing(string rules) =>
        Base.Replace("{{waypointEnv}}",
                $", env: [{{name: MESH_OTLP_ENDPOINT, value: \"http://127.0.0.1:{OtlpPort}\"}}, {{name: MESH_TRACE_SAMPLING, value: \"1\"}}]",
                StringComparison.Ordinal)
            .Replace("{{rules}}", rules, StringComparison.Ordinal)
            .Replace("{{echoAnnotations}}", "", StringComparison.Ordinal)
            .Replace("{{v2args}}", "", StringComparison.Ordinal);

    /// <summary>As <see cref="With"/>, with echo-v2 answering every request <paramref name="latencyMs"/> later and the echo Service annotated.</summary>
    /// <param name="echoAnnotations">The echo Service's annotations as flow-map entries (<c>k: v, k2: v2</c>), or empty.</param>
    public static string WithSlowV2(string rules, int latencyMs, string echoAnnotations = "") =>
        Base.Replace("{{rules}}", rules, StringComparison.Ordinal)
            .Replace("{{waypointEnv}}", "", StringComparison.Ordinal)
            .Replace("{{echoAnnotations}}", echoAnnotations.Length > 0 ? $", annotations: {{{echoAnnotations}}}" : "", StringComparison.Ordinal)
            .Replace("{{v2args}}", latencyMs > 0 ? $", --latency-ms, \"{latencyMs}\"" : "", StringComparison.Ordinal);
}
