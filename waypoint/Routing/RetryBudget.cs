using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// One backend service's retry budget (Linkerd's model, <see cref="RetryBudgetSettings"/>): every original request
/// deposits, every retry withdraws, and a retry is allowed only while the retries in the sliding window stay within
/// <c>Ratio × originals in the window + MinPerSecond × window seconds</c>. The window is kept as
/// <see cref="Slots"/> slots of a tenth of it each, so a request counts for between 0.9 and 1 window. Thread-safe
/// (one short lock per call); time from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class RetryBudget
{
    public const int Slots = 10;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _slotLength;
    private readonly double _ratio;
    private readonly double _reserve;
    private readonly long[] _deposits = new long[Slots];
    private readonly long[] _withdrawals = new long[Slots];
    private long _slot;

    public RetryBudget(RetryBudgetSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Window <= TimeSpan.Zero || settings.Ratio < 0 || settings.MinPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings, "the window must be positive, the ratio and minimum not negative");
        }
        Settings = settings;
        _time = time;
        _slotLength = Math.Max(1, (long)(settings.Window.TotalSeconds * time.TimestampFrequency / Slots));
        _ratio = settings.Ratio;
        _reserve = settings.MinPerSecond * settings.Window.TotalSeconds;
        _slot = time.GetTimestamp() / _slotLength;
    }

    public RetryBudgetSettings Settings { get; }

    /// <summary>An original request to the service.</summary>
    public void Deposit()
    {
        lock (_lock)
        {
            _deposits[Advance()]++;
        }
    }

    /// <summary>Takes one retry from the budget: false (and nothing taken) when the window's retries would exceed it.</summary>
    public bool TryWithdraw()
    {
        lock (_lock)
        {
            var current = Advance();
            if (_withdrawals.Sum() + 1 > _ratio * _deposits.Sum() + _reserve)
            {
                return false;
            }
            _withdrawals[current]++;
            return true;
        }
    }

    /// <summary>Clears the slots that left the window since the last call; returns the current slot's index.</summary>
    private int Advance()
    {
        var now = _time.GetTimestamp() / _slotLength;
        for (var s = Math.Max(_slot + 1, now - Slots + 1); s <= now; s++)
        {
            var i = (int)(s % Slots);
            _deposits[i] = 0;
            _withdrawals[i] = 0;
        }
        _slot = Math.Max(_slot, now);
        return (int)(_slot % Slots);
    }
}
