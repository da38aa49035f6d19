namespace Mesh.Core.Metrics;

/// <summary>The parts of an HTTP/1.x request head the telemetry server needs.</summary>
internal sealed record HttpRequestHead(bool Valid, string Method, string Path, bool KeepAlive, bool HasBody)
{
    private static readonly HttpRequestHead Invalid = new(false, "", "", false, false);

    public static HttpRequestHead Parse(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[1].Length == 0)
        {
            return Invalid;
        }
        var http10 = parts[2] == "HTTP/1.0";
        var keepAlive = !http10;
        var hasBody = false;
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return Invalid;
            }
            var name = lines[i][..colon].Trim();
            var value = lines[i][(colon + 1)..].Trim();
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Contains("close", StringComparison.OrdinalIgnoreCase))
                {
                    keepAlive = false;
                }
                else if (value.Contains("keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    keepAlive = true;
                }
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                || (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && value != "0"))
            {
                hasBody = true;
            }
        }
        var target = parts[1];
        var q = target.IndexOf('?', StringComparison.Ordinal);
        return new HttpRequestHead(true, parts[0], q >= 0 ? target[..q] : target, keepAlive, hasBody);
    }
}
