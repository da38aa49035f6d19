using System.Collections.Immutable;

namespace Mesh.ControlPlane.Ca;

/// <summary>One anchor of the bundle as the status shows it: its role (signing, next, previous), SHA-256, expiry.</summary>
public sealed record AnchorStatus(string Role, string Subject, string Sha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>The rotation as the status endpoint and `meshctl check` show it.</summary>
public sealed record RotationStatus(RotationPhase Phase, DateTimeOffset Since, DateTimeOffset? NextRotationAt, DateTimeOffset? OldLiveUntil,
    bool Automatic, ImmutableArray<AnchorStatus> Anchors, string? LastError);
