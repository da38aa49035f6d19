namespace Mesh.Waypoint.Routing;

/// <summary>
/// Two counts over a sliding window kept as <see cref="Slots"/> slots of a tenth of it each, so an event counts for
/// between 0.9 and 1 window: a retry budget's deposits and withdrawals, an endpoint's requests and failures. Not
/// thread-safe (its owner locks); time from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class WindowCounts
{
    public const int Slots = 10;

    private readonly TimeProvider _time;
    private readonly long _slotLength;
    private readonly long[] _first = new long[Slots];
    private readonly long[] _second = new long[Slots];
    private long _slot;

    public WindowCounts(TimeSpan window, TimeProvider time)
    {
        _time = time;
        _slotLength = Math.Max(1, (long)(window.TotalSeconds * time.TimestampFrequency / Slots));
        _slot = time.GetTimestamp() / _slotLength;
    }

    /// <summary>The first count over the window.</summary>
    public long First
    {
        get
        {
            Advance();
            return _first.Sum();
        }
    }

    /// <summary>The second count over the window.</summary>
    public long Second
    {
        get
        {
            Advance();
            return _second.Sum();
        }
    }

    public void Add(long first, long second)
    {
        var i = Advance();
        _first[i] += first;
        _second[i] += second;
    }

    public void Clear()
    {
        Array.Clear(_first);
        Array.Clear(_second);
    }

    /// <summary>Clears the slots that left the window since the last call; returns the current slot's index.</summary>
    private int Advance()
    {
        var now = _time.GetTimestamp() / _slotLength;
        for (var s = Math.Max(_slot + 1, now - Slots + 1); s <= now; s++)
        {
            var i = (int)(s % Slots);
            _first[i] = 0;
            _second[i] = 0;
        }
        _slot = Math.Max(_slot, now);
        return (int)(_slot % Slots);
    }
}
