using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Waypoints;

/// <summary>
/// The status the controller writes on a waypoint Gateway, as Istio writes it on its waypoints: Accepted
/// (the class is ours), Programmed (True once the waypoint's Service has a cluster IP, else False with reason
/// AddressNotAssigned), both with the Gateway's observedGeneration, and status.addresses = the Service's cluster
/// IPs (what the translation hands ztunnel as the waypoint's address).
/// </summary>
public static class WaypointStatus
{
    public const string Accepted = "Accepted";
    public const string Programmed = "Programmed";
    public const string AddressNotAssigned = "AddressNotAssigned";

    /// <summary>The status for <paramref name="gateway"/> given its live Service (null when not created yet).</summary>
    public static JsonObject Desired(JsonObject gateway, JsonObject? service, DateTimeOffset now)
    {
        var meta = (JsonObject)gateway["metadata"]!;
        var name = (string?)meta["name"];
        var ns = (string?)meta["namespace"];
        var generation = long.TryParse(meta["generation"]?.ToJsonString(), out var g) ? g : 0;
        var old = Conditions(gateway);
        var ips = ClusterIps(service);
        var programmed = ips.Count > 0
            ? Condition(Programmed, true, Programmed,
                $"Resource programmed, assigned to service(s) {name}.{ns}.svc.cluster.local:{WaypointPlan.HbonePort}")
            : Condition(Programmed, false, AddressNotAssigned,
                service is null ? $"waiting for the Service {ns}/{name} to be created" : $"the Service {ns}/{name} has no cluster IP yet");
        return new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition(Accepted, true, Accepted, "Resource accepted"),
                programmed),
            ["addresses"] = new JsonArray([.. ips.Select(ip => (JsonNode)new JsonObject { ["type"] = "IPAddress", ["value"] = ip })]),
        };

        JsonObject Condition(string type, bool status, string reason, string message)
        {
            var value = status ? "True" : "False";
            // lastTransitionTime changes only when the condition's status does.
            var since = old.FirstOrDefault(c => (string?)c["type"] == type && (string?)c["status"] == value)?["lastTransitionTime"]?.GetValue<string>()
                ?? now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            return new JsonObject
            {
                ["type"] = type,
                ["status"] = value,
                ["reason"] = reason,
                ["message"] = message,
                ["observedGeneration"] = generation,
                ["lastTransitionTime"] = since,
            };
        }
    }

    /// <summary>True when the Gateway's status already says what <paramref name="desired"/> says (no write needed).</summary>
    public static bool IsCurrent(JsonObject gateway, JsonObject desired) =>
        gateway["status"] is JsonObject live
        && WaypointPlan.Covers(live["addresses"], desired["addresses"])
        && desired["conditions"]!.AsArray().OfType<JsonObject>().All(d =>
            Conditions(gateway).Any(c => WaypointPlan.Covers(c, d)));

    private static List<JsonObject> Conditions(JsonObject gateway) =>
        [.. ((gateway["status"] as JsonObject)?["conditions"] as JsonArray ?? []).OfType<JsonObject>()];

    private static List<string> ClusterIps(JsonObject? service)
    {
        var spec = service?["spec"] as JsonObject;
        var ips = (spec?["clusterIPs"] as JsonArray)?.Select(n => (string?)n).OfType<string>().ToList() is { Count: > 0 } list
            ? list
            : (string?)spec?["clusterIP"] is { } one ? [one] : [];
        return [.. ips.Where(ip => IPAddress.TryParse(ip, out _))]; // "None" (headless) is no address
    }
}
