using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// One backend service's retry budget (Linkerd's model, <see cref="RetryBudgetSettings"/>): every original request
/// deposits, every retry withdraws, and a retry is allowed only while the retries in the sliding window stay within
/// <c>Ratio × originals in the window + MinPerSecond × window seconds</c>. The window is kept as
/// <see cref="Slots"/> slots of a tenth of it each (<see cref="WindowCounts"/>), so a request counts for between 0.9
/// and 1 window. Thread-safe (one short lock per call); time from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class RetryBudget
{
    public const int Slots = WindowCounts.Slots;

    private readonly Lock _lock = new();
    private readonly double _ratio;
    private readonly double _reserve;
    /// <summary>First: deposits (originals); second: withdrawals (retries).</summary>
    private readonly WindowCounts _counts;

    public RetryBudget(RetryBudgetSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Window <= TimeSpan.Zero || settings.Ratio < 0 || settings.MinPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings, "the window must be positive, the ratio and minimum not negative");
        }
        Settings = settings;
        _ratio = settings.Ratio;
        _reserve = settings.MinPerSecond * settings.Window.TotalSeconds;
        _counts = new WindowCounts(settings.Window, time);
    }

    public RetryBudgetSettings Settings { get; }

    /// <summary>An original request to the service.</summary>
    public void Deposit()
    {
        lock (_lock)
        {
            _counts.Add(1, 0);
        }
    }

    /// <summary>Takes one retry from the budget: false (and nothing taken) when the window's retries would exceed it.</summary>
    public bool TryWithdraw()
    {
        lock (_lock)
        {
            if (_counts.Second + 1 > _ratio * _counts.First + _reserve)
            {
                return false;
            }
            _counts.Add(0, 1);
            return true;
        }
    }
}
