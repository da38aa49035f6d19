using System.Text;

namespace Mesh.Core.Metrics;

/// <summary>What a <see cref="TelemetryServer"/> route answers.</summary>
public sealed record TelemetryResponse(int Status, string ContentType, byte[] Body)
{
    public static TelemetryResponse Text(int status, string body) =>
        new(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(body));
}
