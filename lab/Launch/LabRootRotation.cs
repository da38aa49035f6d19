namespace Mesh.Lab.Launch;

/// <summary>The CA's root lifetimes for a lab (the control plane's --root-lifetime, --root-rotate-at, --rotation-overlap).</summary>
public sealed record LabRootRotation(TimeSpan RootLifetime, double RotateAt, TimeSpan Overlap);
