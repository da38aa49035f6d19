using System.Net;
using System.Text.Json.Nodes;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Translation;
using Mesh.Core.Model;

namespace Mesh.Tests.Unit.ControlPlane;

public sealed class MeshTranslatorTests
{
    // Shaped like `kubectl get -o json` output (trimmed of fields the translation does not read).
    private const string KubectlPod = """
    {
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {
        "name": "reviews-v1-5b5d6b6f8c-x7k2p", "namespace": "bookinfo",
        "uid": "0e2ff5c4-9b7e-4c43-9d4a-8a53a6a0d1f1", "resourceVersion": "48213",
        "labels": { "app": "reviews", "version": "v1", "pod-template-hash": "5b5d6b6f8c" },
        "ownerReferences": [ { "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "reviews-v1-5b5d6b6f8c", "uid": "x" } ]
      },
      "spec": {
        "containers": [ { "name": "reviews", "image": "reviews:1.17", "ports": [ { "name": "http", "containerPort": 9080, "protocol": "TCP" } ] } ],
        "nodeName": "kind-worker", "serviceAccountName": "bookinfo-reviews", "restartPolicy": "Always"
      },
      "status": {
        "phase": "Running", "podIP": "10.244.1.7", "podIPs": [ { "ip": "10.244.1.7" }, { "ip": "fd00:10:244:1::7" } ],
        "hostIP": "172.18.0.3"
      }
    }
    """;

    private const string KubectlNamespace = """
    { "apiVersion": "v1", "kind": "Namespace",
      "metadata": { "name": "bookinfo", "uid": "ns-1", "labels": { "kubernetes.io/metadata.name": "bookinfo", "mesh.dev/dataplane-mode": "ambient" } },
      "spec": { "finalizers": [ "kubernetes" ] }, "status": { "phase": "Active" } }
    """;

    private const string KubectlService = """
    { "apiVersion": "v1", "kind": "Service",
      "metadata": { "name": "reviews", "namespace": "bookinfo", "uid": "svc-1", "labels": { "app": "reviews" } },
      "spec": { "type": "ClusterIP", "clusterIP": "10.96.14.20", "clusterIPs": [ "10.96.14.20" ],
                "ports": [ { "name": "http", "port": 9080, "protocol": "TCP", "targetPort": "http" } ],
                "selector": { "app": "reviews" } } }
    """;

    private const string LabCluster = """
    apiVersion: v1
    kind: Namespace
    metadata:
      name: demo
      labels:
        mesh.dev/dataplane-mode: ambient
        mesh.dev/use-waypoint: waypoint
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: client
      namespace: demo
      labels: { app: client }
    spec:
      nodeName: node1
      serviceAccountName: client
      command: ["sleep", "infinity"]
    status:
      podIP: 198.18.1.2
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: legacy
      namespace: demo
      labels:
        app: echo
        mesh.dev/dataplane-mode: none
    spec: { nodeName: node2 }
    status: { podIP: 198.18.2.3 }
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: waypoint-0
      namespace: demo
      labels: { gateway.networking.k8s.io/gateway-name: waypoint }
    spec: { nodeName: node2, serviceAccountName: waypoint }
    status: { podIP: 198.18.2.9 }
    ---
    apiVersion: v1
    kind: Service
    metadata: { name: echo, namespace: demo }
    spec:
      clusterIP: 198.19.128.10
      selector: { app: echo }
      ports:
      - port: 80
        targetPort: 8080
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
        backendRefs:
        - { name: echo-v1, port: 80, weight: 90 }
        - { name: echo-v2, port: 80, weight: 10 }
        timeouts: { request: 2s, backendRequest: 500ms }
        retry: { attempts: 3, codes: [503], backoff: 100ms }
    ---
    apiVersion: security.mesh.dev/v1
    kind: AuthorizationPolicy
    metadata: { name: echo-allow, namespace: demo }
    spec:
      selector: { matchLabels: { app: echo } }
      action: ALLOW
      rules:
      - from:
        - source: { principals: ["cluster.local/ns/demo/sa/client"] }
        - source: { namespaces: ["ops"] }
        to:
        - operation: { ports: ["8080"] }
    """;

    private static TranslationResult Translate(params string[] json) =>
        MeshTranslator.Translate(json.Select(j => JsonNode.Parse(j)!.AsObject()));

    [Fact]
    public void Translate_KubectlPodInEnrolledNamespace_BuildsCapturedWorkload()
    {
        var result = Translate(KubectlNamespace, KubectlPod, KubectlService);

        Assert.Empty(result.Errors);
        var w = Assert.Single(result.State.Workloads);
        Assert.Equal("0e2ff5c4-9b7e-4c43-9d4a-8a53a6a0d1f1", w.Uid);
        Assert.Equal("kind-worker", w.Node);
        Assert.Equal("bookinfo-reviews", w.ServiceAccount);
        Assert.True(w.Captured);
        Assert.Equal([IPAddress.Parse("10.244.1.7"), IPAddress.Parse("fd00:10:244:1::7")], w.Addresses.ToArray());
        Assert.Equal("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews", w.Identity.ToString());
        var s = Assert.Single(result.State.Services);
        Assert.Equal([IPAddress.Parse("10.96.14.20")], s.Addresses.ToArray());
        Assert.Equal(new ServicePort(9080, 9080, "TCP"), Assert.Single(s.Ports));
        Assert.Equal([w.Uid], s.Endpoints.ToArray());
    }

    [Fact]
    public void Translate_LabYaml_BuildsWorkloadsServicesWaypointRoutesAndPolicies()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse(LabCluster));

        Assert.Empty(result.Errors);
        var state = result.State;
        var client = state.WorkloadsByUid["demo/client"];
        Assert.True(client.Captured);
        Assert.Equal(new NamespacedName("demo", "waypoint"), client.Waypoint);
        var legacy = state.WorkloadsByUid["demo/legacy"];
        Assert.False(legacy.Captured);
        Assert.Equal("default", legacy.ServiceAccount);
        Assert.Null(state.WorkloadsByUid["demo/waypoint-0"].Waypoint);

        var echo = Assert.Single(state.Services);
        Assert.Equal(["demo/legacy"], echo.Endpoints.ToArray());
        Assert.Equal(new ServicePort(80, 8080), Assert.Single(echo.Ports));
        Assert.Equal(new NamespacedName("demo", "waypoint"), echo.Waypoint);

        var wp = Assert.Single(state.Waypoints);
        Assert.Equal([IPAddress.Parse("198.18.2.9")], wp.Addresses.ToArray());
        Assert.Equal("waypoint", wp.ServiceAccount);

        var route = Assert.Single(state.HttpRoutes);
        Assert.Equal(new HttpRouteParent("Service", "demo", "echo", 80), Assert.Single(route.Parents));
        var rule = Assert.Single(route.Rules);
        Assert.Equal([90, 10], rule.Backends.Select(b => b.Weight));
        Assert.Equal(TimeSpan.FromSeconds(2), rule.RequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), rule.BackendRequestTimeout);
        Assert.Equal(3, rule.Retry!.Attempts);
        Assert.Equal("/api", Assert.Single(rule.Matches).PathValue);

        var policy = Assert.Single(state.Policies);
        Assert.Equal(PolicyAction.Allow, policy.Action);
        Assert.Equal("echo", policy.Selector["app"]);
        // from[] has two sources: two rules, each with the operation's port (OR of sources kept).
        Assert.Equal(2, policy.Rules.Length);
        Assert.Equal(["cluster.local/ns/demo/sa/client"], policy.Rules[0].Principals.ToArray());
        Assert.Empty(policy.Rules[0].Namespaces);
        Assert.Equal(["ops"], policy.Rules[1].Namespaces.ToArray());
        Assert.All(policy.Rules, r => Assert.Equal([8080], r.Ports.ToArray()));
    }

    [Fact]
    public void Translate_PolicyWithUnknownField_ReportsFieldAndFailsClosed()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: security.mesh.dev/v1
            kind: AuthorizationPolicy
            metadata: { name: typo, namespace: demo }
            spec:
              selector: { matchLabels: { app: echo } }
              rules:
              - from:
                - source: { principal: ["cluster.local/ns/demo/sa/client"] }
            """));

        var error = Assert.Single(result.Errors);
        Assert.Equal("AuthorizationPolicy", error.Kind);
        Assert.Equal("typo", error.Name);
        Assert.Equal("spec.rules[0].from[0].source.principal", error.Field);
        Assert.Contains("unknown field 'principal'", error.Message);
        var policy = Assert.Single(result.State.Policies);
        Assert.Equal(PolicyAction.Deny, policy.Action);
        Assert.Equal("echo", policy.Selector["app"]);
        Assert.Empty(Assert.Single(policy.Rules).Principals);
    }

    [Fact]
    public void Translate_PolicyWithBadPortAndUnsupportedAction_ReportsEach()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: security.mesh.dev/v1
            kind: AuthorizationPolicy
            metadata: { name: bad-port, namespace: demo }
            spec:
              rules: [ { to: [ { operation: { ports: ["99999"] } } ] } ]
            ---
            apiVersion: security.mesh.dev/v1
            kind: AuthorizationPolicy
            metadata: { name: audit, namespace: demo }
            spec: { action: AUDIT }
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: { name: not-ours, namespace: demo }
            spec: { action: ALLOW }
            """));

        Assert.Equal(2, result.Errors.Length);
        Assert.Contains(result.Errors, e => e.Name == "bad-port" && e.Field == "spec.rules[0].to[0].operation.ports[0]" && e.Message.Contains("out of range"));
        Assert.Contains(result.Errors, e => e.Name == "audit" && e.Field == "spec.action");
        Assert.Equal(2, result.State.Policies.Length);
    }

    [Fact]
    public void Translate_ServiceWithBadPort_SkipsOnlyThatService()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: v1
            kind: Service
            metadata: { name: broken, namespace: demo }
            spec: { clusterIP: 198.19.128.11, ports: [ { port: 70000 } ] }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: words, namespace: demo }
            spec: { clusterIP: 198.19.128.12, ports: [ { port: eighty } ] }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: fine, namespace: demo }
            spec: { clusterIP: 198.19.128.13, ports: [ { port: 80 } ] }
            ---
            kind: Pod
            metadata: { namespace: demo }
            """));

        Assert.Equal("fine", Assert.Single(result.State.Services).Name);
        Assert.Contains(result.Errors, e => e.Name == "broken" && e.Field == "spec.ports[0].port" && e.Message.Contains("70000"));
        Assert.Contains(result.Errors, e => e.Name == "words" && e.Message.Contains("'eighty' is not an integer"));
        Assert.Contains(result.Errors, e => e.Kind == "Pod" && e.Field == "metadata.name");
    }

    [Fact]
    public void Translate_ServiceTrafficDistribution_PreferCloseKeptOthersDefault()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: v1
            kind: Service
            metadata: { name: close, namespace: demo }
            spec: { clusterIP: 198.19.128.11, trafficDistribution: PreferClose, ports: [ { port: 80 } ] }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: node, namespace: demo }
            spec: { clusterIP: 198.19.128.12, trafficDistribution: PreferSameNode, ports: [ { port: 80 } ] }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: odd, namespace: demo }
            spec: { clusterIP: 198.19.128.13, trafficDistribution: Nearby, ports: [ { port: 80 } ] }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: plain, namespace: demo }
            spec: { clusterIP: 198.19.128.14, ports: [ { port: 80 } ] }
            """));

        Assert.Empty(result.Errors);
        var by = result.State.Services.ToDictionary(s => s.Name, s => s.TrafficDistribution);
        Assert.Equal(TrafficDistribution.PreferClose, by["close"]);
        Assert.Equal(TrafficDistribution.PreferClose, by["node"]);
        Assert.Equal(TrafficDistribution.Any, by["odd"]);
        Assert.Equal(TrafficDistribution.Any, by["plain"]);
    }

    [Fact]
    public void Translate_EndpointSlicePresent_UsesSliceEndpointsNotSelector()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: v1
            kind: Pod
            metadata: { name: a, namespace: ns, uid: uid-a, labels: { app: x } }
            spec: { nodeName: n1 }
            status: { podIP: 10.0.0.1 }
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: b, namespace: ns, uid: uid-b, labels: { app: x } }
            spec: { nodeName: n1 }
            status: { podIP: 10.0.0.2 }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: x, namespace: ns }
            spec: { clusterIP: 10.96.0.9, selector: { app: x }, ports: [ { port: 80 } ] }
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: { name: x-abc, namespace: ns, labels: { kubernetes.io/service-name: x } }
            addressType: IPv4
            endpoints:
            - addresses: ["10.0.0.2"]
              conditions: { ready: true }
              targetRef: { kind: Pod, name: b, namespace: ns, uid: uid-b }
            - addresses: ["10.0.0.1"]
              conditions: { ready: false }
              targetRef: { kind: Pod, name: a, namespace: ns }
            ports: [ { port: 80, protocol: TCP } ]
            """));

        Assert.Empty(result.Errors);
        Assert.Equal(["uid-b"], Assert.Single(result.State.Services).Endpoints.ToArray());
    }

    [Fact]
    public void Translate_GatewayWithStatusAddress_UsesStatusAndIgnoresOtherClasses()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: { name: wp, namespace: ns }
            spec: { gatewayClassName: mesh-waypoint }
            status: { addresses: [ { type: IPAddress, value: 10.96.0.50 } ] }
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: { name: ingress, namespace: ns }
            spec: { gatewayClassName: nginx }
            """));

        var wp = Assert.Single(result.State.Waypoints);
        Assert.Equal([IPAddress.Parse("10.96.0.50")], wp.Addresses.ToArray());
        Assert.Equal("wp", wp.ServiceAccount);
    }

    [Fact]
    public void Translate_MissingWaypoint_ReportsButKeepsReference()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: v1
            kind: Service
            metadata: { name: s, namespace: ns, labels: { mesh.dev/use-waypoint: gone } }
            spec: { clusterIP: 10.96.0.9, ports: [ { port: 80 } ] }
            """));

        Assert.Equal(new NamespacedName("ns", "gone"), Assert.Single(result.State.Services).Waypoint);
        Assert.Contains("does not exist", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Translate_BadHttpRouteDuration_SkipsRoute()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: r, namespace: ns }
            spec:
              rules: [ { timeouts: { request: 2 seconds } } ]
            """));

        Assert.Empty(result.State.HttpRoutes);
        Assert.Equal("spec.rules[0].timeouts.request", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Translate_HttpRouteWithoutBudgetAnnotations_RetryHasLinkerdDefaultBudget()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse(LabCluster));

        var retry = Assert.Single(Assert.Single(result.State.HttpRoutes).Rules).Retry!;
        Assert.Equal(new RetryBudgetSettings { Ratio = 0.2, MinPerSecond = 10, Window = TimeSpan.FromSeconds(10) }, retry.Budget);
    }

    [Fact]
    public void Translate_HttpRouteBudgetAnnotations_SetTheRetryBudget()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: r
              namespace: ns
              annotations: {retry.mesh.dev/budget-ratio: "0.5", retry.mesh.dev/budget-min-per-second: "2", retry.mesh.dev/budget-window: 30s}
            spec:
              rules: [ { backendRefs: [ { name: echo, port: 80 } ], retry: { attempts: 2 } } ]
            """));

        Assert.Empty(result.Errors);
        var retry = Assert.Single(Assert.Single(result.State.HttpRoutes).Rules).Retry!;
        Assert.Equal(new RetryBudgetSettings { Ratio = 0.5, MinPerSecond = 2, Window = TimeSpan.FromSeconds(30) }, retry.Budget);
    }

    [Fact]
    public void Translate_HttpRouteBudgetRatioNotANumber_ReportsTheAnnotation()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: { name: r, namespace: ns, annotations: { retry.mesh.dev/budget-ratio: "20%" } }
            spec:
              rules: [ { retry: { attempts: 2 } } ]
            """));

        Assert.Empty(result.State.HttpRoutes);
        var error = Assert.Single(result.Errors);
        Assert.Equal("metadata.annotations[retry.mesh.dev/budget-ratio]", error.Field);
        Assert.Contains("'20%' is not a number from 0 to 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_ServiceWithoutFailureAccrualAnnotations_LeavesTheDefaults()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: v1
            kind: Service
            metadata: { name: echo, namespace: ns }
            spec: { ports: [ { port: 80 } ] }
            """));

        Assert.Null(Assert.Single(result.State.Services).FailureAccrual);
    }

    [Fact]
    public void Translate_ServiceFailureAccrualAnnotations_SetTheCircuitBreaker()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: v1
            kind: Service
            metadata:
              name: echo
              namespace: ns
              annotations:
                balancer.mesh.dev/failure-accrual-consecutive-max-failures: "3"
                balancer.mesh.dev/failure-accrual-failure-rate: "0.4"
                balancer.mesh.dev/failure-accrual-failure-rate-window: 30s
                balancer.mesh.dev/failure-accrual-failure-rate-min-requests: "50"
                balancer.mesh.dev/failure-accrual-min-penalty: 2s
                balancer.mesh.dev/failure-accrual-max-penalty: 1m
                balancer.mesh.dev/failure-accrual-jitter-ratio: "0"
                balancer.mesh.dev/failure-accrual-max-ejected-percent: "30"
            spec: { ports: [ { port: 80 } ] }
            """));

        Assert.Empty(result.Errors);
        Assert.Equal(new FailureAccrualSettings
        {
            ConsecutiveFailures = 3, FailureRate = 0.4, FailureRateWindow = TimeSpan.FromSeconds(30), FailureRateMinRequests = 50,
            MinPenalty = TimeSpan.FromSeconds(2), MaxPenalty = TimeSpan.FromMinutes(1), JitterRatio = 0, MaxEjectedPercent = 30,
        }, Assert.Single(result.State.Services).FailureAccrual);
    }

    [Fact]
    public void Translate_ServiceFailureAccrualDisabled_TurnsItOff()
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse("""
            apiVersion: v1
            kind: Service
            metadata: { name: echo, namespace: ns, annotations: { balancer.mesh.dev/failure-accrual: disabled } }
            spec: { ports: [ { port: 80 } ] }
            """));

        Assert.False(Assert.Single(result.State.Services).FailureAccrual!.Enabled);
    }

    [Theory]
    [InlineData("balancer.mesh.dev/failure-accrual", "on", "'on' is neither enabled nor disabled")]
    [InlineData("balancer.mesh.dev/failure-accrual-consecutive-max-failures", "2.5", "'2.5' is not a whole number from 0 to 1000")]
    [InlineData("balancer.mesh.dev/failure-accrual-max-ejected-percent", "150", "'150' is not a whole number from 0 to 100")]
    [InlineData("balancer.mesh.dev/failure-accrual-min-penalty", "ten", "'ten' is not a Gateway API duration")]
    [InlineData("balancer.mesh.dev/failure-accrual-max-penalty", "1s", "the max penalty 00:00:01 is below the min penalty 00:00:10")]
    public void Translate_ServiceFailureAccrualBadValue_ReportsTheAnnotation(string annotation, string value, string message)
    {
        var result = MeshTranslator.Translate(YamlDocuments.Parse($$"""
            apiVersion: v1
            kind: Service
            metadata: { name: echo, namespace: ns, annotations: { {{annotation}}: "{{value}}" } }
            spec: { ports: [ { port: 80 } ] }
            """));

        Assert.Empty(result.State.Services);
        var error = Assert.Single(result.Errors);
        Assert.Equal($"metadata.annotations[{annotation}]", error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
