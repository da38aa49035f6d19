using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mesh.Native.Time;

/// <summary>
/// Sleeps until an absolute <see cref="Stopwatch"/> timestamp with microsecond precision
/// (<c>clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)</c>), without spinning a core. On Linux
/// <see cref="Stopwatch.GetTimestamp"/> reads CLOCK_MONOTONIC in nanoseconds, so its timestamps are the
/// deadlines the kernel expects. <c>Thread.Sleep</c> only takes whole milliseconds.
/// </summary>
public static partial class MonotonicSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsTime = 1;
    private const int PrSetTimerSlack = 29;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in Timespec request, nint remain);

    [LibraryImport(Libraries.Libc, EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>True where Stopwatch timestamps are CLOCK_MONOTONIC nanoseconds (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <summary>Lets the calling thread's timers fire within about a microsecond (default slack: 50 us).</summary>
    public static void UseTightTimerSlack() => _ = Prctl(PrSetTimerSlack, 1, 0, 0, 0);

    /// <summary>Blocks the calling thread until <paramref name="timestamp"/> (a Stopwatch timestamp).</summary>
    public static void Until(long timestamp)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("MonotonicSleep needs Linux (Stopwatch on CLOCK_MONOTONIC)");
        }
        var request = new Timespec { Seconds = timestamp / 1_000_000_000, Nanoseconds = timestamp % 1_000_000_000 };
        // EINTR (a signal) returns early: sleep again until the deadline has passed.
        while (ClockNanosleep(ClockMonotonic, TimerAbsTime, request, 0) != 0 && Stopwatch.GetTimestamp() < timestamp)
        {
        }
    }
}
