namespace Mesh.Ztunnel.Limits;

/// <summary>
/// Pure: one log line per burst of refusals of one reason. The first refusal is logged; after that at most one line
/// per <c>interval</c>, saying how many were refused without a line since the last one.
/// </summary>
public sealed class BurstLog(TimeSpan interval)
{
    private readonly object _lock = new();
    private readonly Dictionary<RefusalReason, (TimeSpan LastLine, int Suppressed, bool Any)> _state = [];

    /// <summary>True when this refusal at <paramref name="now"/> gets a line; <paramref name="suppressed"/> = refusals since the last line that had none.</summary>
    public bool ShouldLog(RefusalReason reason, TimeSpan now, out int suppressed)
    {
        lock (_lock)
        {
            var s = _state.GetValueOrDefault(reason);
            if (s.Any && now - s.LastLine < interval)
            {
                _state[reason] = s with { Suppressed = s.Suppressed + 1 };
                suppressed = 0;
                return false;
            }
            suppressed = s.Suppressed;
            _state[reason] = (now, 0, true);
            return true;
        }
    }
}
