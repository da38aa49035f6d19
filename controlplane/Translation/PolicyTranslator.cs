using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mesh.Core.Model;

namespace Mesh.ControlPlane.Translation;

/// <summary>
/// AuthorizationPolicy (security.mesh.dev/v1, Istio's shape) -> AuthorizationPolicy. Each rule's
/// from[] x to[] pairs become one PolicyRule each (the model ORs rules; a rule ANDs its fields), so
/// "any source and any operation" keeps Istio's meaning. Unknown or unsupported fields are errors: a
/// field the mesh cannot enforce is never silently dropped.
/// </summary>
internal static class PolicyTranslator
{
    public static readonly string[] Versions = ["v1", "v1beta1"];

    public static AuthorizationPolicy Translate(ObjectMeta meta, JsonObject obj)
    {
        JsonFields.RejectUnknown(obj, "", "apiVersion", "kind", "metadata", "spec", "status");
        var spec = JsonFields.Object(obj, "spec", "spec") ?? new JsonObject();
        JsonFields.RejectUnknown(spec, "spec", "selector", "targetRefs", "targetRef", "action", "rules");
        var targets = TargetRefs(spec);
        if (!targets.IsEmpty && spec["selector"] is not null)
        {
            throw new TranslationException("spec.targetRefs", "targetRefs and selector cannot both be set; a policy with targetRefs is enforced by the waypoint");
        }
        var action = (JsonFields.String(spec, "action", "spec.action") ?? "ALLOW") switch
        {
            "ALLOW" => PolicyAction.Allow,
            "DENY" => PolicyAction.Deny,
            var other => throw new TranslationException("spec.action", $"action '{other}' is not supported (ALLOW or DENY)"),
        };
        var rules = ImmutableArray.CreateBuilder<PolicyRule>();
        var ruleList = JsonFields.Array(spec, "rules", "spec.rules");
        for (var i = 0; i < (ruleList?.Count ?? 0); i++)
        {
            var path = $"spec.rules[{i}]";
            var rule = ruleList![i] as JsonObject ?? throw new TranslationException(path, "expected an object");
            JsonFields.RejectUnknown(rule, path, "from", "to");
            var sources = Items(rule, "from", path, "source", ReadSource);
            var operations = Items(rule, "to", path, "operation", ReadOperation);
            foreach (var s in sources)
            {
                foreach (var o in operations)
                {
                    rules.Add(s with { Ports = o.Ports, NotPorts = o.NotPorts, Methods = o.Methods, Paths = o.Paths });
                }
            }
        }
        return new AuthorizationPolicy
        {
            Name = meta.Name,
            Namespace = meta.Namespace,
            Action = action,
            Selector = Selector(spec),
            Rules = rules.ToImmutable(),
            TargetRefs = targets,
        };
    }

    /// <summary>
    /// targetRefs (or the older single targetRef): a waypoint Gateway (group gateway.networking.k8s.io) or a Service
    /// (core group) of the policy's namespace.
    /// </summary>
    private static ImmutableArray<PolicyTargetRef> TargetRefs(JsonObject spec)
    {
        var list = new List<(JsonObject Ref, string Path)>();
        if (JsonFields.Array(spec, "targetRefs", "spec.targetRefs") is { } refs)
        {
            for (var i = 0; i < refs.Count; i++)
            {
                list.Add((refs[i] as JsonObject ?? throw new TranslationException($"spec.targetRefs[{i}]", "expected an object"), $"spec.targetRefs[{i}]"));
            }
        }
        if (JsonFields.Object(spec, "targetRef", "spec.targetRef") is { } single)
        {
            list.Add((single, "spec.targetRef"));
        }
        var result = ImmutableArray.CreateBuilder<PolicyTargetRef>();
        foreach (var (r, path) in list)
        {
            JsonFields.RejectUnknown(r, path, "group", "kind", "name", "namespace");
            var kind = JsonFields.String(r, "kind", $"{path}.kind") ?? throw new TranslationException($"{path}.kind", "kind is required (Gateway or Service)");
            var group = JsonFields.String(r, "group", $"{path}.group") ?? "";
            if (!(kind == "Gateway" && group == "gateway.networking.k8s.io" || kind == "Service" && group is "" or "core"))
            {
                throw new TranslationException($"{path}.kind", $"target {group}/{kind} is not supported (a gateway.networking.k8s.io Gateway or a core Service)");
            }
            result.Add(new PolicyTargetRef(kind,
                JsonFields.String(r, "name", $"{path}.name") ?? throw new TranslationException($"{path}.name", "name is required")));
        }
        return result.ToImmutable();
    }

    /// <summary>
    /// The deny-all that stands in for a policy that could not be translated (fail closed), wherever the policy applies as
    /// written: its selector's workloads (enforced by ztunnel), its targetRefs (enforced by the waypoint), or both when
    /// both are set (the model's one case of a policy with both; see <c>L4Authorizer.AppliesTo</c>). With neither, the
    /// whole namespace.
    /// </summary>
    public static AuthorizationPolicy FailClosed(ObjectMeta meta, JsonObject obj)
    {
        ImmutableDictionary<string, string> selector;
        ImmutableArray<PolicyTargetRef> targets = [];
        try
        {
            selector = Selector(obj["spec"] as JsonObject);
        }
        catch (TranslationException)
        {
            selector = ImmutableDictionary<string, string>.Empty;
        }
        try
        {
            // A broken waypoint policy denies at its waypoint, not everything in the namespace at L4 (unless it also has
            // a selector: then at both).
            targets = obj["spec"] is JsonObject spec ? TargetRefs(spec) : [];
        }
        catch (TranslationException)
        {
        }
        return new AuthorizationPolicy
        {
            Name = meta.Name,
            Namespace = meta.Namespace,
            Action = PolicyAction.Deny,
            Selector = selector,
            Rules = [new PolicyRule()],
            TargetRefs = targets,
        };
    }

    /// <summary>Where <paramref name="closed"/> (from <see cref="FailClosed"/>) denies, for the status and the log.</summary>
    public static string DescribeFailClosed(AuthorizationPolicy closed)
    {
        var atL4 = closed.TargetRefs.IsEmpty || !closed.Selector.IsEmpty;
        var workloads = closed.Selector.IsEmpty
            ? $"every workload of namespace {closed.Namespace}"
            : $"the workloads of namespace {closed.Namespace} labelled {string.Join(",", closed.Selector.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))}";
        var targets = string.Join(", ", closed.TargetRefs.Select(t => $"{t.Kind}/{t.Name}"));
        return (atL4, closed.TargetRefs.IsEmpty) switch
        {
            (true, true) => $"denying all traffic to {workloads}",
            (true, false) => $"denying all traffic to {workloads} (ztunnel) and at the waypoint for {targets}",
            _ => $"denying all traffic at the waypoint for {targets}",
        };
    }

    private static ImmutableDictionary<string, string> Selector(JsonObject? spec)
    {
        var selector = JsonFields.Object(spec, "selector", "spec.selector");
        JsonFields.RejectUnknown(selector, "spec.selector", "matchLabels");
        return JsonFields.StringMap(selector, "matchLabels", "spec.selector.matchLabels");
    }

    private static List<PolicyRule> Items(JsonObject rule, string name, string path, string inner, Func<JsonObject?, string, PolicyRule> read)
    {
        var list = JsonFields.Array(rule, name, $"{path}.{name}");
        if (list is null || list.Count == 0)
        {
            return [new PolicyRule()];
        }
        var result = new List<PolicyRule>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var ip = $"{path}.{name}[{i}]";
            var item = list[i] as JsonObject ?? throw new TranslationException(ip, "expected an object");
            JsonFields.RejectUnknown(item, ip, inner);
            result.Add(read(JsonFields.Object(item, inner, $"{ip}.{inner}"), $"{ip}.{inner}"));
        }
        return result;
    }

    private static PolicyRule ReadSource(JsonObject? source, string path)
    {
        JsonFields.RejectUnknown(source, path, "principals", "notPrincipals", "namespaces", "notNamespaces");
        return new PolicyRule
        {
            Principals = JsonFields.StringList(source, "principals", $"{path}.principals"),
            NotPrincipals = JsonFields.StringList(source, "notPrincipals", $"{path}.notPrincipals"),
            Namespaces = JsonFields.StringList(source, "namespaces", $"{path}.namespaces"),
            NotNamespaces = JsonFields.StringList(source, "notNamespaces", $"{path}.notNamespaces"),
        };
    }

    private static PolicyRule ReadOperation(JsonObject? op, string path)
    {
        JsonFields.RejectUnknown(op, path, "ports", "notPorts", "methods", "paths");
        return new PolicyRule
        {
            Ports = Ports(op, "ports", path),
            NotPorts = Ports(op, "notPorts", path),
            Methods = JsonFields.StringList(op, "methods", $"{path}.methods"),
            Paths = JsonFields.StringList(op, "paths", $"{path}.paths"),
        };
    }

    private static ImmutableArray<int> Ports(JsonObject? op, string name, string path)
    {
        var list = JsonFields.Array(op, name, $"{path}.{name}");
        return list is null ? [] : [.. list.Select((p, i) => JsonFields.Port(p, $"{path}.{name}[{i}]"))];
    }
}
