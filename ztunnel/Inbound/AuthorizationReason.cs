namespace Mesh.Ztunnel.Inbound;

/// <summary>Why the inbound side allowed or refused a connection (one log line and one metric label each).</summary>
public enum AuthorizationReason
{
    /// <summary>No policy applies to the workload: allowed.</summary>
    NoPolicies,
    /// <summary>An ALLOW policy matched (its name is in the decision).</summary>
    AllowPolicyMatched,
    /// <summary>A DENY policy matched (its name is in the decision).</summary>
    DenyPolicyMatched,
    /// <summary>ALLOW policies apply and none matched (the first of them is named in the decision).</summary>
    NoAllowPolicyMatched,
    /// <summary>The workload is in STRICT mode and the connection is plaintext.</summary>
    StrictModeRefusesPlaintext,
}
