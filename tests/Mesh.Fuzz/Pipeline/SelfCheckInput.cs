namespace Mesh.Fuzz.Pipeline;

/// <summary>
/// Planted bugs for scripts/fuzz.sh --selfcheck: inputs starting "CRASH" throw, "HANG" never return, "ALLOC"
/// allocate 128 MiB, "DEEP" recurse until the stack overflows. The seeds are one octet away from each, and
/// afl-fuzz must report every one (crash, hang, crash, crash). fuzz.sh instruments this namespace of
/// Mesh.Fuzz.dll only (the rest of the harness runs before SharpFuzz sets up its coverage map).
/// </summary>
internal static class SelfCheckInput
{
    public static void Run(byte[] input)
    {
        var s = input.AsSpan();
        if (s.Length > 3 && s[0] == (byte)'C' && s[1] == (byte)'R' && s[2] == (byte)'A' && s[3] == (byte)'S' && s.Length > 4 && s[4] == (byte)'H')
        {
            throw new InvalidOperationException("selfcheck: crash");
        }
        if (s.Length > 3 && s[0] == (byte)'H' && s[1] == (byte)'A' && s[2] == (byte)'N' && s[3] == (byte)'G')
        {
            while (true)
            {
                Thread.Sleep(10);
            }
        }
        if (s.Length > 4 && s[0] == (byte)'A' && s[1] == (byte)'L' && s[2] == (byte)'L' && s[3] == (byte)'O' && s[4] == (byte)'C')
        {
            var hold = new List<byte[]>();
            for (var i = 0; i < 128; i++)
            {
                hold.Add(new byte[1024 * 1024]);
            }
            GC.KeepAlive(hold);
        }
        if (s.Length > 3 && s[0] == (byte)'D' && s[1] == (byte)'E' && s[2] == (byte)'E' && s[3] == (byte)'P')
        {
            Recurse(0);
        }
    }

    private static int Recurse(int depth) => depth == int.MaxValue ? depth : Recurse(depth + 1) + 1;
}
