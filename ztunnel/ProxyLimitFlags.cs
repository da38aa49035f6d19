using System.Globalization;
using Mesh.Core.CommandLine;
using Mesh.Core.Text;
using Mesh.Ztunnel.Limits;

namespace Mesh.Ztunnel;

/// <summary>The command-line flags of <see cref="ProxyLimits"/> (part of <see cref="ZtunnelOptions.Parse"/>).</summary>
public static class ProxyLimitFlags
{
    private static readonly ProxyLimits D = new();

    /// <summary>The limit flags, with their defaults (<see cref="ProxyLimits"/>) in help.</summary>
    public static readonly IReadOnlyList<Flag> Flags =
    [
        new("connect-timeout", "the time to open a connection to a destination") { HelpName = "DURATION", Default = DurationText.Format(D.ConnectTimeout) },
        new("handshake-timeout", "the time for a TLS handshake, either side") { HelpName = "DURATION", Default = DurationText.Format(D.HandshakeTimeout) },
        new("max-handshakes", "TLS handshakes in progress at once") { HelpName = "N", Default = Text(D.MaxHandshakes) },
        new("max-connections", "connections this ztunnel carries at once") { HelpName = "N", Default = Text(D.MaxConnections) },
        new("max-connections-per-pod", "connections one pod may have at once") { HelpName = "N", Default = Text(D.MaxConnectionsPerPod) },
        new("max-connections-per-peer", "HBONE connections from one peer address at once") { HelpName = "N", Default = Text(D.MaxConnectionsPerPeer) },
        new("max-streams-per-connection", "HBONE streams on one connection") { HelpName = "N", Default = Text(D.MaxStreamsPerConnection) },
        new("connection-idle-timeout", "an HBONE connection with no stream is closed after") { HelpName = "DURATION", Default = DurationText.Format(D.ConnectionIdleTimeout) },
        new("stream-idle-timeout", "a stream with no bytes either way is reset after (0 = off)") { HelpName = "DURATION", Default = DurationText.Format(D.StreamIdleTimeout) },
    ];

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

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>A duration flag in the one syntax of <see cref="DurationText"/>; zero only where <paramref name="allowZero"/>.</summary>
    public static TimeSpan Duration(string flag, string text, bool allowZero) =>
        DurationText.TryParse(text, out var value) && (allowZero || value > TimeSpan.Zero) ? value
            : throw new ZtunnelConfigException($"--{flag} '{text}' is not a {(allowZero ? "" : "positive ")}duration: write e.g. {DurationText.Examples}");

    private static int Count(string flag, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
            : throw new ZtunnelConfigException($"--{flag} '{text}' must be a positive whole number");
}
