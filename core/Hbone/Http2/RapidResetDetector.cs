namespace Mesh.Core.Hbone.Http2;

/// <summary>
/// Tells a peer that cancels streams faster than any client needs to (HTTP/2 rapid reset, CVE-2023-44487) from one
/// that cancels now and then: a token bucket holding <c>burst</c> tokens, refilled at <c>perSecond</c>; each stream
/// the peer resets (or opens beyond our limit) takes one. An empty bucket is abuse: the connection answers GOAWAY
/// ENHANCE_YOUR_CALM. Pure: the caller passes the time (elapsed since the connection started).
/// </summary>
public sealed class RapidResetDetector
{
    private readonly double _burst;
    private readonly double _perSecond;
    private double _tokens;
    private TimeSpan _last;

    public RapidResetDetector(int burst, double perSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        _burst = burst;
        _perSecond = perSecond;
        _tokens = burst;
    }

    /// <summary>Records one reset at <paramref name="now"/>; false when the peer is over its budget.</summary>
    public bool OnReset(TimeSpan now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(_burst, _tokens + ((now - _last).TotalSeconds * _perSecond));
            _last = now;
        }
        if (_tokens < 1)
        {
            return false;
        }
        _tokens -= 1;
        return true;
    }
}
