namespace Mesh.Fuzz;

/// <summary>
/// Runs one input and fails when it made the process allocate far more than its size justifies: a reader that
/// trusts a length from the input shows up here even when the allocation happens to succeed.
/// </summary>
internal static class AllocationGuard
{
    /// <summary>Allowed per run: a fixed budget (setup, pooled buffers, JSON/YAML object graphs) plus this many bytes per input byte.</summary>
    public const long FixedBudget = 64L * 1024 * 1024;
    public const long PerInputByte = 512;

    public static void Run(IFuzzTarget target, byte[] input)
    {
        var before = GC.GetTotalAllocatedBytes(precise: false);
        target.Run(input);
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
        var budget = FixedBudget + PerInputByte * input.Length;
        if (allocated > budget)
        {
            throw new FuzzFinding($"{target.Name}: an input of {input.Length} bytes allocated {allocated / (1024 * 1024)} MiB (budget {budget / (1024 * 1024)} MiB)");
        }
    }
}
