using Mesh.Lab;
using Mesh.Lab.Model;
using Mesh.Lab.Parsing;

namespace Mesh.Tests.Unit.Lab;

public sealed class LabFileParserTests
{
    private const string Good = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels:
            mesh.dev/dataplane-mode: ambient
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: shop
          labels: {app: web, version: v1}
        spec:
          nodeName: node2
          serviceAccountName: web-sa
          containers:
          - name: web
            image: ignored
            command: [./bin/echo]
            args: [--port, "8080"]
            env:
            - {name: GREETING, value: hi}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client}
        spec:
          nodeName: node1
          containers: [{name: c, command: [sleep, infinity]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: 8080}
          - {port: 9000}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: waypoint, namespace: shop}
        spec:
          gatewayClassName: mesh-waypoint
          listeners: [{name: mesh, port: 15008, protocol: HBONE}]
        ---
        """;

    private static LabFile Parse(string yaml) => LabFileParser.Parse(yaml, "f.yaml", "/labs");

    private static string Error(string yaml)
    {
        var e = Assert.Throws<LabException>(() => Parse(yaml));
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void Parse_GoodFile_ReadsEveryKind()
    {
        var f = Parse(Good);

        var web = Assert.Single(f.Pods, p => p.Name == "web");
        Assert.Equal("shop", web.Namespace);
        Assert.Equal("node2", web.NodeName);
        Assert.Equal("web-sa", web.ServiceAccount);
        Assert.Equal(["./bin/echo", "--port", "8080"], web.Command.ToArray());
        Assert.Equal("v1", web.Labels["version"]);
        Assert.Equal(new KeyValuePair<string, string>("GREETING", "hi"), Assert.Single(web.Env));
        Assert.Equal("shop/web", web.Uid);

        var client = Assert.Single(f.Pods, p => p.Name == "client");
        Assert.Equal("default", client.Namespace);
        Assert.Equal("default", client.ServiceAccount);
        Assert.Equal(["sleep", "infinity"], client.Command.ToArray());

        var svc = Assert.Single(f.Services);
        Assert.Equal("web", svc.Selector["app"]);
        Assert.Equal([(80, 8080, "http"), (9000, 9000, (string?)null)], svc.Ports.Select(p => (p.Port, p.TargetPort, p.Name)));
        Assert.Null(svc.ClusterIp);
        Assert.False(svc.Headless);

        var gw = Assert.Single(f.Others);
        Assert.Equal(("Gateway", "shop", "waypoint"), (gw.Kind, gw.Namespace, gw.Name));
        Assert.Contains("gatewayClassName: mesh-waypoint", gw.Yaml, StringComparison.Ordinal);
        Assert.Contains("protocol: HBONE", gw.Yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NamespacesAndNodes_DeclaredFirstThenImpliedInOrderOfUse()
    {
        var f = Parse(Good);

        Assert.Equal(["shop", "default"], f.Namespaces.Select(n => n.Name));
        Assert.True(f.Namespaces[0].Declared);
        Assert.Equal("ambient", f.Namespaces[0].Labels["mesh.dev/dataplane-mode"]);
        Assert.False(f.Namespaces[1].Declared);
        Assert.Empty(f.Namespaces[1].Labels);
        Assert.Equal(["node2", "node1"], f.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void Parse_NodeDocument_ComesFirstAndKeepsLabels()
    {
        var f = Parse("""
            kind: Pod
            metadata: {name: a}
            spec: {nodeName: n2, containers: [{command: [sleep, "1"]}]}
            ---
            kind: Node
            metadata: {name: n1, labels: {zone: a}}
            """);

        Assert.Equal(["n1", "n2"], f.Nodes.Select(n => n.Name));
        Assert.Equal("a", f.Nodes[0].Labels["zone"]);
    }

    [Fact]
    public void Parse_ServiceWithClusterIpAndHeadless_ReadsThem()
    {
        var f = Parse("""
            kind: Service
            metadata: {name: a}
            spec: {clusterIP: 198.19.200.7, ports: [{port: 1}]}
            ---
            kind: Service
            metadata: {name: b}
            spec: {clusterIP: None, ports: [{port: 1}]}
            """);

        Assert.Equal("198.19.200.7", f.Services[0].ClusterIp!.ToString());
        Assert.True(f.Services[1].Headless);
        Assert.Null(f.Services[1].ClusterIp);
    }

    [Fact]
    public void Parse_ServiceSelectingNothing_IsAccepted()
    {
        var f = Parse("""
            kind: Service
            metadata: {name: lonely}
            spec: {selector: {app: nobody}, ports: [{port: 80}]}
            """);

        Assert.Equal("nobody", Assert.Single(f.Services).Selector["app"]);
    }

    [Fact]
    public void Parse_EmptyDocuments_AreSkipped()
    {
        var f = Parse("---\n---\nkind: Namespace\nmetadata: {name: a}\n---\n");

        Assert.Equal("a", Assert.Single(f.Namespaces).Name);
    }

    [Fact]
    public void Parse_YamlSyntaxError_NamesFileAndLine()
    {
        var msg = Error("kind: Pod\nmetadata:\n  name: [a\n");

        Assert.StartsWith("f.yaml: line ", msg, StringComparison.Ordinal);
        Assert.Contains("YAML syntax error", msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKind_SaysWhichKindsWork()
    {
        var msg = Error("kind: Namespace\nmetadata: {name: a}\n---\nkind: Deployment\nmetadata: {name: d}\n");

        Assert.StartsWith("f.yaml: document 2 (line 4): kind: 'Deployment' is not supported by the lab; use one of Namespace, Node, Pod, Service, ", msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingKind_IsAnError()
    {
        Assert.StartsWith("f.yaml: document 1 (line 1): kind: missing; add one of Namespace", Error("metadata: {name: a}\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DocumentThatIsAList_IsAnError()
    {
        Assert.Equal("f.yaml: document 1 (line 1): must be a mapping with apiVersion, kind and metadata", Error("- a\n- b\n"));
    }

    [Fact]
    public void Parse_PodWithoutName_NamesTheLineAndField()
    {
        var msg = Error("kind: Pod\nmetadata: {namespace: x}\nspec: {nodeName: n}\n");

        Assert.Equal("f.yaml: Pod 'x/<unnamed, line 1>': metadata.name: missing; give every Pod a name", msg);
    }

    [Fact]
    public void Parse_PodWithoutNodeName_SaysTheLabDoesNotSchedule()
    {
        var msg = Error("kind: Pod\nmetadata: {name: a}\nspec: {containers: [{command: [sleep]}]}\n");

        Assert.Equal("f.yaml: Pod 'default/a': spec.nodeName: missing; the lab does not schedule, so say which node runs the pod (e.g. nodeName: node1)", msg);
    }

    [Fact]
    public void Parse_PodWithoutCommand_AsksForOne()
    {
        var msg = Error("kind: Pod\nmetadata: {name: a}\nspec: {nodeName: n, containers: [{image: nginx}]}\n");

        Assert.Equal("f.yaml: Pod 'default/a': spec.containers[0].command: missing; the lab runs a command instead of an image, e.g. command: [sleep, infinity]", msg);
    }

    [Fact]
    public void Parse_PodWithTwoContainers_IsAnError()
    {
        var msg = Error("kind: Pod\nmetadata: {name: a}\nspec: {nodeName: n, containers: [{command: [a]}, {command: [b]}]}\n");

        Assert.Equal("f.yaml: Pod 'default/a': spec.containers: has 2 containers; the lab runs one command per pod, so keep one container", msg);
    }

    [Fact]
    public void Parse_PodWithoutSpec_IsAnError()
    {
        Assert.Equal("f.yaml: Pod 'default/a': spec: missing; a Pod needs spec.nodeName and spec.containers", Error("kind: Pod\nmetadata: {name: a}\n"));
    }

    [Fact]
    public void Parse_EnvValueFrom_IsRejected()
    {
        var msg = Error("kind: Pod\nmetadata: {name: a}\nspec: {nodeName: n, containers: [{command: [a], env: [{name: X, valueFrom: {}}]}]}\n");

        Assert.StartsWith("f.yaml: Pod 'default/a': spec.containers[0].env[0].valueFrom: is not supported in the lab", msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicatePod_PointsAtTheFirst()
    {
        var msg = Error("""
            kind: Pod
            metadata: {name: a}
            spec: {nodeName: n, containers: [{command: [x]}]}
            ---
            kind: Pod
            metadata: {name: a}
            spec: {nodeName: m, containers: [{command: [y]}]}
            """);

        Assert.Equal("f.yaml: Pod 'default/a': metadata.name: duplicate; the Pod at line 1 has the same name, rename one", msg);
    }

    [Fact]
    public void Parse_SameNameInOtherNamespaceOrKind_IsFine()
    {
        var f = Parse("""
            kind: Pod
            metadata: {name: a, namespace: x}
            spec: {nodeName: n, containers: [{command: [x]}]}
            ---
            kind: Pod
            metadata: {name: a, namespace: y}
            spec: {nodeName: n, containers: [{command: [y]}]}
            ---
            kind: Service
            metadata: {name: a, namespace: x}
            spec: {ports: [{port: 1}]}
            """);

        Assert.Equal(2, f.Pods.Length);
    }

    [Fact]
    public void Parse_DuplicateNamespace_IsAnError()
    {
        Assert.Equal("f.yaml: Namespace 'a': metadata.name: duplicate; the Namespace at line 1 has the same name, rename one",
            Error("kind: Namespace\nmetadata: {name: a}\n---\nkind: Namespace\nmetadata: {name: a}\n"));
    }

    [Theory]
    [InlineData("http", "'http' is not a port number; use a number 1-65535 (named ports are not supported in the lab)")]
    [InlineData("0", "0 is out of range; use a number 1-65535")]
    [InlineData("70000", "70000 is out of range; use a number 1-65535")]
    public void Parse_BadServicePort_SaysWhatIsWrong(string port, string what)
    {
        var msg = Error($"kind: Service\nmetadata: {{name: s, namespace: shop}}\nspec: {{ports: [{{port: 80}}, {{port: {port}}}]}}\n");

        Assert.Equal($"f.yaml: Service 'shop/s': spec.ports[1].port: {what}", msg);
    }

    [Fact]
    public void Parse_BadTargetPort_NamesTheField()
    {
        var msg = Error("kind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, targetPort: web}]}\n");

        Assert.StartsWith("f.yaml: Service 'default/s': spec.ports[0].targetPort: 'web' is not a port number", msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ServiceWithoutPorts_IsAnError()
    {
        Assert.StartsWith("f.yaml: Service 'default/s': spec.ports: missing;", Error("kind: Service\nmetadata: {name: s}\nspec: {selector: {a: b}}\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UdpPort_IsRejected()
    {
        Assert.StartsWith("f.yaml: Service 'default/s': spec.ports[0].protocol: 'UDP' is not supported",
            Error("kind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 53, protocol: UDP}]}\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("198.18.1.5")]
    [InlineData("not-an-ip")]
    public void Parse_ClusterIpOutsideServiceRange_IsAnError(string ip)
    {
        var msg = Error($"kind: Service\nmetadata: {{name: s}}\nspec: {{clusterIP: {ip}, ports: [{{port: 1}}]}}\n");

        Assert.Equal($"f.yaml: Service 'default/s': spec.clusterIP: '{ip}' is outside the lab's service range 198.19.128.0/17; remove it to get one allocated or pick one inside", msg);
    }

    [Theory]
    [InlineData("Pod", "Web")]
    [InlineData("Namespace", "a_b")]
    [InlineData("Service", "a.b")]
    public void Parse_InvalidName_IsAnError(string kind, string name)
    {
        var msg = Error($"kind: {kind}\nmetadata: {{name: '{name}'}}\nspec: {{nodeName: n, ports: [{{port: 1}}], containers: [{{command: [x]}}]}}\n");

        Assert.Contains($"metadata.name: '{name}' is not a valid name", msg, StringComparison.Ordinal);
        Assert.StartsWith($"f.yaml: {kind} '", msg, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidNodeName_IsAnError()
    {
        Assert.StartsWith("f.yaml: Pod 'default/a': spec.nodeName: 'Node_1' is not a valid node name",
            Error("kind: Pod\nmetadata: {name: a}\nspec: {nodeName: Node_1, containers: [{command: [x]}]}\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LabelThatIsAMapping_NamesTheLabel()
    {
        Assert.Equal("f.yaml: Namespace 'a': metadata.labels.team: must be a string value",
            Error("kind: Namespace\nmetadata: {name: a, labels: {team: {x: y}}}\n"));
    }

    [Fact]
    public void Parse_MetadataThatIsAList_IsAnError()
    {
        Assert.Equal("f.yaml: Namespace '<unnamed, line 1>': metadata: must be a mapping (key: value lines)",
            Error("kind: Namespace\nmetadata: [a]\n"));
    }

    [Fact]
    public void Parse_CommandThatIsAString_AsksForAList()
    {
        Assert.Equal("f.yaml: Pod 'default/a': spec.containers[0].command: must be a list of strings, e.g. [sleep, infinity]",
            Error("kind: Pod\nmetadata: {name: a}\nspec: {nodeName: n, containers: [{command: sleep infinity}]}\n"));
    }

    [Fact]
    public void Parse_GatewayClass_IsClusterScoped()
    {
        var f = Parse("kind: GatewayClass\nmetadata: {name: mesh-waypoint}\nspec: {controllerName: mesh.dev/waypoint}\n");

        Assert.Null(Assert.Single(f.Others).Namespace);
    }

    [Fact]
    public void Load_MissingFile_SaysItCannotRead()
    {
        var e = Assert.Throws<LabException>(() => LabFileParser.Load("/nonexistent/lab.yaml"));

        Assert.StartsWith("/nonexistent/lab.yaml: cannot read the lab file:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RealDemoFile_Parses()
    {
        var f = LabFileParser.Load(Path.Combine(Mesh.Tests.Common.Lab.RepoPaths.Root, "samples", "lab-demo.yaml"));

        Assert.Equal(2, f.Nodes.Length);
        Assert.Equal(4, f.Pods.Length);
        Assert.Equal(2, f.Pods.Count(p => p.NodeName == "node1"));
        Assert.Equal("ambient", f.Namespaces.Single(n => n.Name == "demo").Labels[Mesh.Core.MeshLabels.DataplaneMode]);
    }

    [Theory]
    [MemberData(nameof(ControlPlane.YamlDocumentsTests.ParserCrashes), MemberType = typeof(ControlPlane.YamlDocumentsTests))]
    public void Parse_InputYamlDotNetRejectsWithOtherExceptions_ThrowsOneLineLabException(string input)
    {
        var message = Error(ControlPlane.YamlDocumentsTests.Text(input));

        Assert.StartsWith("f.yaml: ", message, StringComparison.Ordinal);
        Assert.Contains("YAML syntax error", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeeplyNestedFlowSequence_ThrowsOneLineLabExceptionWithThePosition()
    {
        var message = Error("kind: Pod\nspec: " + new string('[', 100_000) + new string(']', 100_000));

        Assert.StartsWith("f.yaml: line 2, column ", message, StringComparison.Ordinal);
        Assert.Contains("nesting deeper than", message, StringComparison.Ordinal);
    }
}
