namespace Mesh.Fuzz.Targets;

/// <summary>
/// Checks the fuzzing pipeline itself (scripts/fuzz.sh selfcheck): inputs starting "CRASH" throw, "HANG" loop
/// forever, "ALLOC" allocate without bound, "DEEP" recurse until the stack overflows. afl-fuzz must report each.
/// </summary>
internal sealed class SelfCheckTarget : IFuzzTarget
{
    public string Name => "selfcheck";

    public void Run(byte[] input)
    {
        if (input.AsSpan().StartsWith("CRASH"u8))
        {
            throw new InvalidOperationException("selfcheck: crash");
        }
        if (input.AsSpan().StartsWith("HANG"u8))
        {
            while (true)
            {
                Thread.Sleep(10);
            }
        }
        if (input.AsSpan().StartsWith("ALLOC"u8))
        {
            var hold = new List<byte[]>();
            for (var i = 0; i < 128; i++)
            {
                hold.Add(new byte[1024 * 1024]);
            }
            GC.KeepAlive(hold);
        }
        if (input.AsSpan().StartsWith("DEEP"u8))
        {
            Recurse(0);
        }
    }

    private static int Recurse(int depth) => depth == int.MaxValue ? depth : Recurse(depth + 1) + 1;
}
