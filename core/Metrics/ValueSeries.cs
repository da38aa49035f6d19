namespace Mesh.Core.Metrics;

/// <summary>A counter or gauge series: one double, updated without locks.</summary>
internal sealed class ValueSeries(LabelSet labels) : MetricSeries(labels)
{
    private long _bits;

    public double Value => BitConverter.Int64BitsToDouble(Volatile.Read(ref _bits));

    public override void Record(double value, bool set)
    {
        if (set)
        {
            Volatile.Write(ref _bits, BitConverter.DoubleToInt64Bits(value));
            return;
        }
        while (true)
        {
            var old = Volatile.Read(ref _bits);
            var updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(old) + value);
            if (Interlocked.CompareExchange(ref _bits, updated, old) == old)
            {
                return;
            }
        }
    }
}
