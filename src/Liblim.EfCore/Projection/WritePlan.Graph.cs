using Microsoft.EntityFrameworkCore.Migrations;

namespace Liblim.EfCore.Projection;

/// <summary>The ordering graph: one node per delete and update, one per table for its inserts; edges say "before".</summary>
internal static partial class WritePlan
{
    private sealed class Graph
    {
        private readonly Dictionary<(string, string), int> _deletes = [];
        private readonly Dictionary<string, int> _inserts = new(StringComparer.Ordinal);
        private readonly HashSet<(string, string)> _inserted = [];

        public Graph(IReadOnlyList<DataOp> ops, bool deferred)
        {
            foreach (var op in ops)
            {
                switch (op.Kind)
                {
                    case DataOpKind.Delete:
                        _deletes[(op.Table, op.Key)] = Add([op]);
                        break;
                    case DataOpKind.Update:
                        Add([op]);
                        break;
                    default:
                        if (!_inserts.TryGetValue(op.Table, out var node))
                        {
                            _inserts[op.Table] = node = Add([]);
                        }

                        Nodes[node].Add(op);
                        _inserted.Add((op.Table, op.Key));
                        break;
                }
            }

            var holders = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var n = 0; n < Nodes.Count; n++)
            {
                foreach (var op in Nodes[n].Where(o => o.Kind != DataOpKind.Insert))
                {
                    foreach (var group in op.UniqueBefore.Where(g => op.Kind == DataOpKind.Delete || !op.UniqueAfter.Contains(g)))
                    {
                        holders[group] = n;
                    }
                }
            }

            for (var n = 0; n < Nodes.Count; n++)
            {
                foreach (var op in Nodes[n])
                {
                    AddEdges(n, op, holders, deferred);
                }
            }
        }

        public List<List<DataOp>> Nodes { get; } = [];

        public List<Edge> Edges { get; } = [];

        private int Add(List<DataOp> ops)
        {
            Nodes.Add(ops);
            return Nodes.Count - 1;
        }

        private void AddEdges(int n, DataOp op, Dictionary<string, int> holders, bool deferred)
        {
            if (op.Kind != DataOpKind.Insert)
            {
                // The references a leaving or changing row drops go before the referenced row's delete.
                foreach (var r in op.Before.Where(r => op.Kind == DataOpKind.Delete || !op.After.Contains(r)))
                {
                    // RESTRICT and CASCADE act at once even where checks are deferred: a cascade would go on through the
                    // leaving row into rows that stay, so the leaving row goes first.
                    var immediate = r.OnDelete is ReferentialAction.Restrict or ReferentialAction.Cascade;
                    if (_deletes.TryGetValue((r.Table, r.Key), out var target) && (!deferred || immediate))
                    {
                        Link(n, target, unique: false);
                    }
                }
            }

            if (op.Kind != DataOpKind.Delete)
            {
                // A reference a row takes comes after the referenced row's insert.
                foreach (var r in op.After.Where(r => op.Kind == DataOpKind.Insert || !op.Before.Contains(r)))
                {
                    if (!deferred && _inserted.Contains((r.Table, r.Key)))
                    {
                        Link(_inserts[r.Table], n, unique: false);
                    }
                }

                // A unique value a row takes comes after the row holding it gives it up.
                foreach (var group in op.UniqueAfter.Where(g => op.Kind == DataOpKind.Insert || !op.UniqueBefore.Contains(g)))
                {
                    if (holders.TryGetValue(group, out var holder))
                    {
                        Link(holder, n, unique: true);
                    }
                }
            }

            if (op.Kind == DataOpKind.Insert && _deletes.TryGetValue((op.Table, op.Key), out var leaving))
            {
                Link(leaving, n, unique: true); // a re-seated row: out before in
            }
        }

        private void Link(int from, int to, bool unique)
        {
            if (from != to)
            {
                Edges.Add(new Edge(from, to, unique));
            }
        }

        /// <summary>Tarjan's strongly connected components, in topological order (a component before those it points to).</summary>
        public List<List<int>> StronglyConnected()
        {
            var next = Edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct().ToList());
            var index = new int[Nodes.Count];
            var low = new int[Nodes.Count];
            var onStack = new bool[Nodes.Count];
            Array.Fill(index, -1);
            var stack = new Stack<int>();
            var result = new List<List<int>>();
            var counter = 0;

            // Iterative, so that a long chain of rows does not overflow the call stack.
            foreach (var root in Enumerable.Range(0, Nodes.Count))
            {
                if (index[root] >= 0)
                {
                    continue;
                }

                var work = new Stack<(int Node, int Child)>();
                work.Push((root, 0));
                while (work.Count > 0)
                {
                    var (v, child) = work.Pop();
                    if (child == 0)
                    {
                        index[v] = low[v] = counter++;
                        stack.Push(v);
                        onStack[v] = true;
                    }

                    var children = next.GetValueOrDefault(v) ?? [];
                    if (child > 0)
                    {
                        low[v] = Math.Min(low[v], low[children[child - 1]]);
                    }

                    var descended = false;
                    for (var c = child; c < children.Count; c++)
                    {
                        var w = children[c];
                        if (index[w] < 0)
                        {
                            work.Push((v, c + 1));
                            work.Push((w, 0));
                            descended = true;
                            break;
                        }

                        if (onStack[w])
                        {
                            low[v] = Math.Min(low[v], index[w]);
                        }
                    }

                    if (descended || low[v] != index[v])
                    {
                        continue;
                    }

                    var component = new List<int>();
                    int x;
                    do
                    {
                        x = stack.Pop();
                        onStack[x] = false;
                        component.Add(x);
                    }
                    while (x != v);
                    result.Add(component);
                }
            }

            result.Reverse();
            return result;
        }

        /// <summary>The steps: components by level (a level after every level it depends on), then by kind and table.</summary>
        public List<DataStep> Steps(List<List<int>> components)
        {
            var componentOf = new int[Nodes.Count];
            for (var c = 0; c < components.Count; c++)
            {
                foreach (var n in components[c])
                {
                    componentOf[n] = c;
                }
            }

            var level = new int[components.Count];
            var incoming = Edges.Where(e => componentOf[e.From] != componentOf[e.To])
                .GroupBy(e => componentOf[e.To]).ToDictionary(g => g.Key, g => g.Select(e => componentOf[e.From]).ToList());
            for (var c = 0; c < components.Count; c++)
            {
                // Topological order: every predecessor's level is known.
                level[c] = incoming.TryGetValue(c, out var from) ? from.Max(p => level[p]) + 1 : 0;
            }

            var steps = new List<DataStep>();
            foreach (var atLevel in Enumerable.Range(0, components.Count).GroupBy(c => level[c]).OrderBy(g => g.Key))
            {
                var single = atLevel.Where(c => components[c].Count == 1).SelectMany(c => Nodes[components[c][0]]).ToList();
                foreach (var kind in new[] { DataOpKind.Delete, DataOpKind.Update, DataOpKind.Insert })
                {
                    foreach (var byTable in single.Where(o => o.Kind == kind).GroupBy(o => o.Table, StringComparer.Ordinal))
                    {
                        var rows = kind == DataOpKind.Insert ? ParentsFirst([.. byTable]) : [.. byTable];
                        steps.Add(new DataStep(rows, Combined: false));
                    }
                }

                foreach (var c in atLevel.Where(c => components[c].Count > 1))
                {
                    steps.Add(new DataStep([.. components[c].SelectMany(n => Nodes[n])], Combined: true));
                }
            }

            return steps;
        }

        /// <summary>Rows inserted together, those referenced by others of them first (so that any split into several statements still works).</summary>
        private static List<DataOp> ParentsFirst(List<DataOp> rows)
        {
            var byKey = rows.ToDictionary(r => r.Key, StringComparer.Ordinal);
            var done = new HashSet<string>(StringComparer.Ordinal);
            var visiting = new HashSet<string>(StringComparer.Ordinal);
            var ordered = new List<DataOp>(rows.Count);
            foreach (var row in rows)
            {
                Visit(row);
            }

            return ordered;

            void Visit(DataOp row)
            {
                var pending = new Stack<(DataOp Row, bool Expanded)>();
                pending.Push((row, false));
                while (pending.Count > 0)
                {
                    var (r, expanded) = pending.Pop();
                    if (done.Contains(r.Key))
                    {
                        continue;
                    }

                    if (expanded)
                    {
                        done.Add(r.Key);
                        ordered.Add(r);
                        continue;
                    }

                    if (!visiting.Add(r.Key))
                    {
                        continue; // a cycle: written in the same statement
                    }

                    pending.Push((r, true));
                    foreach (var reference in r.After.Where(a => a.Table == r.Table && byKey.ContainsKey(a.Key) && !done.Contains(a.Key)))
                    {
                        pending.Push((byKey[reference.Key], false));
                    }
                }
            }
        }
    }
}
