using Mesh.Core.Identity;

namespace Mesh.ControlPlane.Ca;

/// <summary>The CA's answer: a response to send, or a refusal with a message that says what to do.</summary>
public sealed record SignOutcome(CaSignResponse? Response, CaRefusal Refusal, string Message)
{
    public static SignOutcome Refused(CaRefusal refusal, string message) => new(null, refusal, message);
}
