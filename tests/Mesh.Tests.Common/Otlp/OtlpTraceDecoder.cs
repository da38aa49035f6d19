using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Mesh.Tests.Common.Otlp;

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> (protobuf, opentelemetry-proto's trace/v1 and common/v1 field
/// numbers) into spans, with a minimal protobuf wire reader: only what a test asserts (ids, name, kind, string/int/bool
/// attributes, resource attributes). A malformed body throws <see cref="FormatException"/>.
/// </summary>
public static class OtlpTraceDecoder
{
    public static List<OtlpSpan> Decode(ReadOnlySpan<byte> request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1)
            {
                continue;
            }
            var resource = ImmutableDictionary<string, string>.Empty;
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1)
                {
                    resource = Attributes(value, 1);
                }
                else if (f == 2)
                {
                    scopes.Add(value.ToArray());
                }
            }
            foreach (var scope in scopes)
            {
                foreach (var (f, span) in Fields(scope))
                {
                    if (f == 2)
                    {
                        spans.Add(Span(span, resource));
                    }
                }
            }
        }
        return spans;
    }

    private static OtlpSpan Span(ReadOnlySpan<byte> span, ImmutableDictionary<string, string> resource)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var (f, value) in Fields(span))
        {
            switch (f)
            {
                case 1: traceId = Convert.ToHexStringLower(value); break;
                case 2: spanId = Convert.ToHexStringLower(value); break;
                case 4: parent = Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
                case 6: kind = (int)BinaryPrimitives.ReadInt64LittleEndian(value); break;
                case 9:
                    var (k, v) = KeyValue(value);
                    attributes[k] = v;
                    break;
            }
        }
        return new OtlpSpan(traceId, spanId, parent, name, kind, attributes.ToImmutable(), resource);
    }

    /// <summary>The KeyValue fields numbered <paramref name="field"/> of a message (a Resource's attributes).</summary>
    private static ImmutableDictionary<string, string> Attributes(ReadOnlySpan<byte> message, int field)
    {
        var b = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var (f, value) in Fields(message))
        {
            if (f == field)
            {
                var (k, v) = KeyValue(value);
                b[k] = v;
            }
        }
        return b.ToImmutable();
    }

    private static (string Key, string Value) KeyValue(ReadOnlySpan<byte> kv)
    {
        string key = "", text = "";
        foreach (var (f, value) in Fields(kv))
        {
            if (f == 1)
            {
                key = Encoding.UTF8.GetString(value);
            }
            else if (f == 2)
            {
                foreach (var (af, av) in Fields(value))
                {
                    text = af switch
                    {
                        1 => Encoding.UTF8.GetString(av),
                        2 => BinaryPrimitives.ReadInt64LittleEndian(av) != 0 ? "true" : "false",
                        3 => BinaryPrimitives.ReadInt64LittleEndian(av).ToString(CultureInfo.InvariantCulture),
                        4 => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(av)).ToString(CultureInfo.InvariantCulture),
                        _ => text,
                    };
                }
            }
        }
        return (key, text);
    }

    /// <summary>
    /// The fields of one message in order: (number, bytes). A varint is returned as its value in 8 little-endian
    /// octets, fixed32/fixed64 as their octets (widened to 8), a length-delimited field as its content.
    /// </summary>
    private static List<(int Field, byte[] Value)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, byte[])>();
        var i = 0;
        while (i < message.Length)
        {
            var tag = Varint(message, ref i);
            var field = (int)(tag >> 3);
            var value = new byte[8];
            switch ((int)(tag & 7))
            {
                case 0:
                    BinaryPrimitives.WriteUInt64LittleEndian(value, Varint(message, ref i));
                    break;
                case 1:
                    Take(message, ref i, 8).CopyTo(value);
                    break;
                case 2:
                    var length = Varint(message, ref i);
                    value = Take(message, ref i, checked((int)length)).ToArray();
                    break;
                case 5:
                    Take(message, ref i, 4).CopyTo(value);
                    break;
                default:
                    throw new FormatException($"protobuf wire type {tag & 7} at {i} is not supported");
            }
            fields.Add((field, value));
        }
        return fields;
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> message, ref int i, int n)
    {
        if (n < 0 || i + n > message.Length)
        {
            throw new FormatException($"protobuf field of {n} octets at {i} runs past the end ({message.Length})");
        }
        var s = message.Slice(i, n);
        i += n;
        return s;
    }

    private static ulong Varint(ReadOnlySpan<byte> message, ref int i)
    {
        ulong v = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (i >= message.Length)
            {
                throw new FormatException("protobuf varint runs past the end");
            }
            var b = message[i++];
            v |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return v;
            }
        }
        throw new FormatException("protobuf varint longer than 10 octets");
    }
}
