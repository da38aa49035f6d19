namespace Mesh.Tests.Unit.Charts;

/// <summary>
/// What the chart passes that the binaries do not take yet (issue 11 is building them: the CNI node agent and the
/// TokenReview authenticator). Every other flag the chart passes must be in the binary's usage text; when a binary
/// gains one of these, remove it from here and the usage check covers it.
/// </summary>
public static class ChartExpectations
{
    /// <summary>ztunnel: the unix socket the CNI plugin dials (replaces --pods-file on a node).</summary>
    public const string ZtunnelCniSocketFlag = "--cni-socket";

    /// <summary>Control plane: the audience its TokenReview requires of the ztunnel/waypoint projected tokens.</summary>
    public const string ControlPlaneTokenAudienceFlag = "--token-audience";

    public static readonly string[] PendingZtunnelFlags = [ZtunnelCniSocketFlag];

    public static readonly string[] PendingControlPlaneFlags = [ControlPlaneTokenAudienceFlag];

    /// <summary>The .NET logging setting both components get from the chart's logLevel (the control plane's host
    /// reads it today; ztunnel's LoggerFactory does not yet).</summary>
    public const string LogLevelEnv = "Logging__LogLevel__Default";

    /// <summary>The file name of the socket under cni.socketDir.</summary>
    public const string CniSocketFile = "cni.sock";

    /// <summary>The CA Secret's keys (Istio's cacerts names).</summary>
    public static readonly string[] CaSecretKeys = ["ca-cert.pem", "ca-key.pem", "root-cert.pem"];
}
