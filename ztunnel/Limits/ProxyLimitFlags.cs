using System.Globalization;

namespace Mesh.Ztunnel.Limits;

/// <summary>The command-line flags of <see cref="ProxyLimits"/> (part of <see cref="ZtunnelOptions.Parse"/>).</summary>
public static class ProxyLimitFlags
{
    public const string Usage =
        "[--connect-timeout 10s] [--handshake-timeout 10s] [--max-handshakes 128] [--max-connections 65536] " +
        "[--max-connections-per-pod 4096] [--max-connections-per-peer 1024] [--max-streams-per-connection 100] " +
        "[--connection-idle-timeout 60s] [--stream-idle-timeout 1h (0 = off)]";

    /// <summary>Takes the limit flags out of <paramref name="values"/> (flag name without "--" -> value); a bad value throws <see cref="ZtunnelConfigException"/>.</summary>
    public static ProxyLimits Take(Dictionary<string, string> values)
    {
        var l = new ProxyLimits();
        if (values.Remove("connect-timeout", out var v))
        {
            l = l with { ConnectTimeout = Duration("connect-timeout", v, allowZero: false) };
        }
        if (values.Remove("handshake-timeout", out v))
        {
            l = l with { HandshakeTimeout = Duration("handshake-timeout", v, allowZero: false) };
        }
        if (values.Remove("connection-idle-timeout", out v))
        {
            l = l with { ConnectionIdleTimeout = Duration("connection-idle-timeout", v, allowZero: false) };
        }
        if (values.Remove("stream-idle-timeout", out v))
        {
            l = l with { StreamIdleTimeout = Duration("stream-idle-timeout", v, allowZero: true) };
        }
        if (values.Remove("max-handshakes", out v))
        {
            l = l with { MaxHandshakes = Count("max-handshakes", v) };
        }
        if (values.Remove("max-connections", out v))
        {
            l = l with { MaxConnections = Count("max-connections", v) };
        }
        if (values.Remove("max-connections-per-pod", out v))
        {
            l = l with { MaxConnectionsPerPod = Count("max-connections-per-pod", v) };
        }
        if (values.Remove("max-connections-per-peer", out v))
        {
            l = l with { MaxConnectionsPerPeer = Count("max-connections-per-peer", v) };
        }
        if (values.Remove("max-streams-per-connection", out v))
        {
            l = l with { MaxStreamsPerConnection = Count("max-streams-per-connection", v) };
        }
        return l;
    }

    /// <summary>"500ms", "10s", "5m", "1h" (and "0" where allowed).</summary>
    public static TimeSpan Duration(string flag, string text, bool allowZero)
    {
        if (allowZero && text == "0")
        {
            return TimeSpan.Zero;
        }
        var (digits, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], "ms") : text.Length > 1 ? (text[..^1], text[^1..]) : ("", "");
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || (n == 0 && !allowZero))
        {
            throw new ZtunnelConfigException($"--{flag} '{text}' is not a duration: write a positive number with a unit, e.g. 500ms, 10s, 5m, 1h");
        }
        return unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => throw new ZtunnelConfigException($"--{flag} '{text}' has no unit: write e.g. 500ms, 10s, 5m, 1h"),
        };
    }

    private static int Count(string flag, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
            : throw new ZtunnelConfigException($"--{flag} '{text}' must be a positive whole number");
}
