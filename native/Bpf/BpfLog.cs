using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Mesh.Native.Net;
using Microsoft.Extensions.Logging;

namespace Mesh.Native.Bpf;

/// <summary>
/// Routes libbpf's printf-style log (a va_list, formatted with libc vsnprintf) to an ILogger.
/// Lines of warning level are also kept per thread while a load runs, so a failed load can carry
/// the verifier's message in its <see cref="BpfException"/>.
/// </summary>
public static unsafe partial class BpfLog
{
    private const int LibbpfWarn = 0;
    private const int LibbpfInfo = 1;
    private static ILogger? s_logger;
    private static int s_installed;

    [ThreadStatic]
    private static StringBuilder? t_capture;

    /// <summary>Sends libbpf's messages to <paramref name="logger"/> (process-wide).</summary>
    public static void Use(ILogger logger)
    {
        s_logger = logger;
        Install();
    }

    internal static void Install()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
        {
            Interop.Libbpf.SetPrint((nint)(delegate* unmanaged<int, byte*, nint, int>)&Print);
        }
    }

    /// <summary>Starts keeping this thread's warning lines; returns them from <see cref="EndCapture"/>.</summary>
    internal static void BeginCapture() => t_capture = new StringBuilder();

    internal static string? EndCapture()
    {
        var text = t_capture?.ToString().TrimEnd();
        t_capture = null;
        return string.IsNullOrEmpty(text) ? null : text;
    }

    [UnmanagedCallersOnly]
    private static int Print(int level, byte* format, nint args)
    {
        if (NetNsThread.IsCurrentThread)
        {
            // libbpf messages printed inside a pod are dropped: a thread that enters pods' network namespaces must
            // not log (a logger could start a thread there).
            return 0;
        }
        try
        {
            const int size = 4096;
            var buffer = stackalloc byte[size];
            var written = Interop.Libc.Vsnprintf(buffer, size, format, args);
            if (written < 0)
            {
                return 0;
            }
            var message = Encoding.UTF8.GetString(buffer, Math.Min(written, size - 1)).TrimEnd('\n');
            if (level == LibbpfWarn)
            {
                t_capture?.AppendLine(message);
            }
            Write(level, message);
            return written;
        }
        catch
        {
            return 0; // never let an exception unwind into libbpf
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Write(int level, string message)
    {
        var logger = s_logger;
        if (logger is null)
        {
            return;
        }
        switch (level)
        {
            case LibbpfWarn: LogWarning(logger, message); break;
            case LibbpfInfo: LogInfo(logger, message); break;
            default: LogDebug(logger, message); break;
        }
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "libbpf: {Message}")]
    private static partial void LogWarning(ILogger logger, string message);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "libbpf: {Message}")]
    private static partial void LogInfo(ILogger logger, string message);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Debug, Message = "libbpf: {Message}")]
    private static partial void LogDebug(ILogger logger, string message);
}
