using System.Text.Json.Nodes;
using Mesh.Core.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// Builds JSON trees from YAML parser events with an explicit stack, enforcing <see cref="YamlLimits"/> as it goes
/// (so memory and stack stay bounded whatever the input). One per parse; used by <see cref="YamlDocuments"/>.
/// </summary>
internal sealed class YamlTreeBuilder(YamlLimits limits)
{
    private sealed class Frame(JsonNode node, string? anchor, long firstNode, Mark start)
    {
        public JsonNode Node { get; } = node;
        public string? Anchor { get; } = anchor;
        public long FirstNode { get; } = firstNode;
        public Mark Start { get; } = start;
        /// <summary>For a mapping: the key whose value comes next (null while a key is expected).</summary>
        public string? Key { get; set; }
    }

    private readonly Stack<Frame> _stack = new();
    private readonly Dictionary<string, (JsonNode? Node, long Nodes)> _anchors = new(StringComparer.Ordinal);
    private long _nodes;
    private long _aliasNodes;
    private JsonNode? _root;
    private Mark _rootStart = Mark.Empty;

    public List<(JsonNode? Root, Mark Start)> Documents { get; } = [];

    public void Add(ParsingEvent e)
    {
        switch (e)
        {
            case DocumentStart:
                _anchors.Clear();
                _root = null;
                _rootStart = e.Start;
                break;
            case DocumentEnd:
                Documents.Add((_root, _rootStart));
                break;
            case Scalar s when ExpectingKey(out var mapping):
                if (mapping.Node.AsObject().ContainsKey(s.Value))
                {
                    throw Fail(e.Start, $"duplicate key '{Cut(s.Value)}'");
                }
                Count(e.Start, 1);
                mapping.Key = s.Value;
                break;
            case Scalar s:
                Count(e.Start, 1);
                var scalar = YamlDocuments.Scalar(s);
                if (!s.Anchor.IsEmpty)
                {
                    _anchors[s.Anchor.Value] = (scalar, 1);
                }
                Attach(scalar, e.Start);
                break;
            case AnchorAlias alias:
                if (ExpectingKey(out _))
                {
                    throw Fail(e.Start, "a mapping key must be a plain string, not an alias");
                }
                var name = alias.Value.Value;
                if (_stack.Any(f => f.Anchor == name))
                {
                    throw Fail(e.Start, $"alias *{Cut(name)} refers to the node that contains it (a cycle)");
                }
                if (!_anchors.TryGetValue(name, out var anchored))
                {
                    throw Fail(e.Start, $"alias *{Cut(name)} has no anchor &{Cut(name)} before it");
                }
                _aliasNodes += anchored.Nodes;
                if (_aliasNodes > limits.MaxAliasNodes)
                {
                    throw Fail(e.Start, $"aliases expand to more than {limits.MaxAliasNodes} nodes (an alias bomb?); write the values out or split the file");
                }
                Count(e.Start, anchored.Nodes);
                Attach(anchored.Node?.DeepClone(), e.Start);
                break;
            case MappingStart m:
                Open(new JsonObject(), m.Anchor, e.Start);
                break;
            case SequenceStart q:
                Open(new JsonArray(), q.Anchor, e.Start);
                break;
            case MappingEnd or SequenceEnd:
                var done = _stack.Pop();
                if (done.Anchor is not null)
                {
                    _anchors[done.Anchor] = (done.Node, _nodes - done.FirstNode);
                }
                Attach(done.Node, done.Start);
                break;
        }
    }

    private void Open(JsonNode node, AnchorName anchor, Mark start)
    {
        if (ExpectingKey(out _))
        {
            throw Fail(start, "a mapping key must be a plain string, not a mapping or a sequence");
        }
        if (_stack.Count >= limits.MaxDepth)
        {
            throw Fail(start, $"nesting deeper than {limits.MaxDepth} levels");
        }
        var first = _nodes;
        Count(start, 1);
        _stack.Push(new Frame(node, anchor.IsEmpty ? null : anchor.Value, first, start));
    }

    private void Attach(JsonNode? value, Mark start)
    {
        if (_stack.Count == 0)
        {
            _root = value;
            _rootStart = start;
            return;
        }
        var top = _stack.Peek();
        if (top.Node is JsonArray array)
        {
            array.Add(value);
            return;
        }
        top.Node.AsObject()[top.Key!] = value;
        top.Key = null;
    }

    private bool ExpectingKey(out Frame mapping)
    {
        mapping = _stack.Count > 0 ? _stack.Peek() : null!;
        return mapping is { Node: JsonObject, Key: null };
    }

    private void Count(Mark at, long nodes)
    {
        _nodes += nodes;
        if (_nodes > limits.MaxNodes)
        {
            throw Fail(at, $"more than {limits.MaxNodes} nodes in one file; split it");
        }
    }

    private static YamlDocumentException Fail(Mark at, string reason) => new(at.Line, at.Column, reason);

    private static string Cut(string s) => UntrustedText.Bound(s, 64);
}
