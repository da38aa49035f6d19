namespace Mesh.ControlPlane.Kubernetes;

/// <summary>Exponential backoff with jitter for reconnecting watches and retrying lists.</summary>
public static class KubeBackoff
{
    /// <summary>
    /// The delay before retry number <paramref name="attempt"/> (0-based): initial * 2^attempt,
    /// capped at max, then scaled into [50%, 100%] by <paramref name="jitter"/> in [0, 1) so many
    /// informers that failed together do not retry together.
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, double jitter)
    {
        var exponent = Math.Clamp(attempt, 0, 30);
        var raw = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(raw * (0.5 + (0.5 * Math.Clamp(jitter, 0, 1))));
    }
}
