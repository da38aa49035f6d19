using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mesh.Waypoint.Tracing;

/// <summary>
/// Exports the waypoint's spans (<see cref="WaypointTracing"/>) over OTLP/HTTP (protobuf, <c>POST {endpoint}/v1/traces</c>,
/// OpenTelemetry .NET's exporter, batched) when <see cref="WaypointOptions.OtlpEndpoint"/> is set; sampling is parent
/// based: a caller's sampled flag is followed, a new trace is sampled at <see cref="WaypointOptions.TraceSampling"/>.
/// The resource is <c>service.name</c> = the Gateway, <c>service.namespace</c> = its namespace. Without an endpoint
/// nothing is started and the ActivitySource has no listener.
/// </summary>
public static class TraceExport
{
    public const string TracesPath = "/v1/traces";

    public static TracerProvider? Start(WaypointOptions options)
    {
        if (options.OtlpEndpoint is not { } endpoint)
        {
            return null;
        }
        return Sdk.CreateTracerProviderBuilder()
            .AddSource(WaypointTracing.SourceName)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampling)))
            .ConfigureResource(r => r.Clear().AddService(options.Gateway, serviceNamespace: options.Namespace, autoGenerateServiceInstanceId: true))
            .AddOtlpExporter(o =>
            {
                o.Endpoint = TracesUri(endpoint);
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build();
    }

    /// <summary>The collector's base URL with the signal path (<c>/v1/traces</c>) appended, unless it already ends with it.</summary>
    public static Uri TracesUri(Uri endpoint) =>
        endpoint.AbsolutePath.EndsWith(TracesPath, StringComparison.Ordinal) ? endpoint
        : new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + TracesPath);
}
