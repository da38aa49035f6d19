using System.Collections.Immutable;

namespace Mesh.Tests.Common.Otlp;

/// <summary>
/// One span as an OTLP receiver got it: ids in lower-case hex (the parent empty for a root span), the name, the OTLP
/// kind (2 server, 3 client), its attributes and its resource's attributes as text.
/// </summary>
public sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    ImmutableDictionary<string, string> Attributes, ImmutableDictionary<string, string> Resource)
{
    public const int KindServer = 2;
    public const int KindClient = 3;

    public override string ToString() =>
        $"{Name} kind={Kind} trace={TraceId} span={SpanId} parent={(ParentSpanId.Length == 0 ? "-" : ParentSpanId)} {string.Join(' ', Attributes.Select(a => $"{a.Key}={a.Value}"))}";
}
