using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Mesh.Lab.Parsing;

/// <summary>
/// Loads YAML that someone else wrote (cluster-folder files, lab files) with the bounds YamlDotNet lacks: nesting
/// deeper than <see cref="MaxDepth"/> is refused by an event pass before the recursive node loader runs (300k
/// '[' overflowed the stack and killed the process), and every malformed input ends as a <see cref="YamlException"/>
/// (YamlDotNet also throws InvalidOperationException and ArgumentException on some). Both found by fuzzing.
/// </summary>
public static class YamlLoader
{
    /// <summary>Kubernetes objects nest about 15 levels, large CRD schemas about 40.</summary>
    public const int MaxDepth = 256;

    public static YamlStream Load(string text)
    {
        CheckDepth(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new YamlException($"malformed YAML: {e.Message}", e);
        }
        return stream;
    }

    private static void CheckDepth(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        var at = Mark.Empty;
        while (MoveNext(parser, at))
        {
            at = parser.Current!.End;
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        throw new YamlException(parser.Current.Start, parser.Current.End, $"nesting deeper than {MaxDepth} levels; flatten the document");
                    }
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
                default:
                    break;
            }
        }
    }

    private static bool MoveNext(Parser parser, Mark after)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new YamlException(after, after, $"malformed YAML after this point: {e.Message}", e);
        }
    }
}
