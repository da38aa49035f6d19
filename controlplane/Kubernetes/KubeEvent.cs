using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// An object change delivered by a <see cref="KubeInformer"/>. <see cref="Object"/> is the full
/// object as raw JSON with apiVersion and kind set (for Deleted: its last known state). Consumers
/// must not mutate it: the informer's cache holds the same instance.
/// </summary>
public sealed record KubeEvent(KubeEventType Type, string Kind, JsonObject Object);
