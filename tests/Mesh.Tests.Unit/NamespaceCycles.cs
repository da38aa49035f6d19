namespace Mesh.Tests.Unit;

/// <summary>
/// The cycles of a namespace graph: its strongly connected components of more than one namespace (Tarjan), each
/// described with every edge inside it and that edge's example, so a developer sees what to move.
/// </summary>
internal static class NamespaceCycles
{
    /// <summary>One entry per cycle: "cycle A, B: ..." then one "  A -> B: example" line per edge inside it; empty for a DAG.</summary>
    public static List<string> Describe(IReadOnlyDictionary<(string From, string To), string> edges) =>
        Find(edges.Keys).Select(cycle =>
        {
            var members = cycle.ToHashSet();
            var inside = edges.Where(e => members.Contains(e.Key.From) && members.Contains(e.Key.To))
                .OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal)
                .Select(e => $"  {e.Key.From} -> {e.Key.To}: {e.Value}");
            return string.Join("\n", inside.Prepend($"cycle {string.Join(", ", cycle)}:"));
        }).ToList();

    /// <summary>The strongly connected components with more than one node, each sorted, ordered by their first node.</summary>
    public static List<List<string>> Find(IEnumerable<(string From, string To)> edges)
    {
        var next = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (from, to) in edges)
        {
            if (!next.TryGetValue(from, out var list))
            {
                next[from] = list = [];
            }
            list.Add(to);
            next.TryAdd(to, []);
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Visit(string node)
        {
            var order = index.Count;
            index[node] = order;
            low[node] = order;
            stack.Push(node);
            onStack.Add(node);
            foreach (var to in next[node])
            {
                if (!index.TryGetValue(to, out var reached))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (onStack.Contains(to))
                {
                    low[node] = Math.Min(low[node], reached);
                }
            }
            if (low[node] != index[node])
            {
                return;
            }
            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            }
            while (member != node);
            if (component.Count > 1)
            {
                components.Add([.. component.Order(StringComparer.Ordinal)]);
            }
        }

        foreach (var node in next.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }
        return [.. components.OrderBy(c => c[0], StringComparer.Ordinal)];
    }
}
