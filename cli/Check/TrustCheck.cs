using System.Globalization;
using System.Text.Json;

namespace Mesh.Cli.Check;

/// <summary>
/// The trust part of <c>meshctl check</c>, decided from the control plane's /debug/status (pure): one line per
/// anchor (role, expiry, SHA-256), the rotation phase, and a warning well before anything expires: without automatic
/// rotation, a signing anchor with less than a third of its life (or 30 days) left; with it, a rotation past its due
/// time that has not begun; an expired anchor as a failure, and the rotation's last error.
/// </summary>
public static class TrustCheck
{
    public static readonly TimeSpan WarnWithin = TimeSpan.FromDays(30);
    /// <summary>How long past its due time an automatic rotation may not have begun before it is a warning (it is checked every second).</summary>
    public static readonly TimeSpan RotationLate = TimeSpan.FromSeconds(30);

    /// <summary>The lines to print and whether nothing failed (warnings do not fail the check).</summary>
    public static (IReadOnlyList<string> Lines, bool Ok) Assess(JsonElement status, DateTimeOffset now)
    {
        var lines = new List<string>();
        if (!status.TryGetProperty("ca", out var ca) || ca.ValueKind != JsonValueKind.Object)
        {
            lines.Add("FAIL  trust: the control plane's status has no CA section -> upgrade the control plane or check --control-plane");
            return (lines, false);
        }
        var phase = ca.GetProperty("rotationPhase").GetString() ?? "?";
        var automatic = ca.TryGetProperty("automaticRotation", out var a) && a.ValueKind == JsonValueKind.True;
        var ok = true;
        var rotating = phase != "steady";
        DateTimeOffset? nextRotation = ca.TryGetProperty("nextRotationAt", out var n) && n.ValueKind == JsonValueKind.String ? n.GetDateTimeOffset() : null;
        foreach (var anchor in ca.GetProperty("anchors").EnumerateArray())
        {
            var role = anchor.GetProperty("role").GetString();
            var notAfter = anchor.GetProperty("notAfter").GetDateTimeOffset();
            var notBefore = anchor.TryGetProperty("notBefore", out var nb) ? nb.GetDateTimeOffset() : notAfter - TimeSpan.FromDays(3650);
            var left = notAfter - now;
            var what = $"anchor {role} {anchor.GetProperty("subject").GetString()} (sha256 {anchor.GetProperty("sha256").GetString()?[..16]}…) expires {notAfter.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}, in {Human(left)}";
            if (left <= TimeSpan.Zero)
            {
                ok = false;
                lines.Add($"FAIL  trust: {what} -> it has expired: certificates chaining to it no longer verify; rotate (`controlplane rotate-root`) and restart the proxies that refuse");
            }
            else if (role == "signing" && !rotating && automatic && (nextRotation is null || now > nextRotation + RotationLate))
            {
                lines.Add($"WARN  trust: {what} -> the automatic rotation should have begun; see the control plane's log (4251/4252)");
            }
            else if (role == "signing" && !rotating && !automatic && (left < WarnWithin || left < (notAfter - notBefore) / 3))
            {
                lines.Add($"WARN  trust: {what} -> rotate it before it expires: `controlplane rotate-root`, then `--finish` after one certificate lifetime");
            }
            else
            {
                lines.Add($"ok    trust: {what}");
            }
        }
        var since = ca.GetProperty("phaseSince").GetDateTimeOffset();
        var next = nextRotation is { } at ? $", next rotation {at.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}" : "";
        lines.Add($"ok    rotation: phase {phase} since {since.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}{(automatic ? next : " (automatic rotation off)")}");
        if (ca.TryGetProperty("lastError", out var err) && err.ValueKind == JsonValueKind.String)
        {
            lines.Add($"WARN  rotation: {err.GetString()} -> fix what the message names; the control plane retries every second");
        }
        return (lines, ok);
    }

    private static string Human(TimeSpan t) =>
        t.Duration() >= TimeSpan.FromDays(2) ? $"{t.TotalDays:0} days"
        : t.Duration() >= TimeSpan.FromHours(2) ? $"{t.TotalHours:0} hours"
        : t.Duration() >= TimeSpan.FromMinutes(2) ? $"{t.TotalMinutes:0} minutes"
        : $"{t.TotalSeconds:0} seconds";
}
