using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>The decision: every row of the set as a node of a <see cref="VisibilityGraph"/>, the rows they reference outside it as fixed nodes.</summary>
internal sealed partial class Reconciler
{
    private List<(string Table, string Key)> _nodeIds = [];

    private void Solve()
    {
        var graph = new VisibilityGraph();
        var ids = new List<(string, string)>();
        var nodes = new Dictionary<(string, string), int>();
        var rows = new List<ReconcileRow>(_rows.Count);
        foreach (var row in _rows.Values)
        {
            if (row.Table.IsUnconstrained)
            {
                row.Verdict = VisibilityGraph.Unrelated(row.State is not null, row.IsAlive, row.IsPinned);
                continue;
            }

            nodes[row.Id] = graph.AddRow(row.State is not null, row.IsAlive, row.IsPinned);
            ids.Add(row.Id);
            rows.Add(row);
        }

        int NodeOf((string, string) id)
        {
            if (!nodes.TryGetValue(id, out var node))
            {
                nodes[id] = node = graph.AddFixed(_external[id]);
                ids.Add(id);
            }

            return node;
        }

        foreach (var row in rows)
        {
            var node = nodes[row.Id];
            if (row.IsAlive)
            {
                foreach (var fk in row.Table.ForeignKeys)
                {
                    if (fk.PrincipalKey(row.Json) is { } key)
                    {
                        graph.AddReference(node, NodeOf((fk.Principal.Name, key)), fk.Ordinal, fk.HoldsDependent);
                    }
                }
            }

            if (row.IsAlive || row.IsPinned)
            {
                foreach (var index in row.Table.UniqueIndexes)
                {
                    if (index.ValueKey(row.Json) is { } values)
                    {
                        graph.AddClaim(node, index.GroupKey(values), index.Ordinal, Rank(row, index));
                    }
                }
            }
        }

        var verdicts = graph.Solve();
        foreach (var row in rows)
        {
            row.Verdict = verdicts[nodes[row.Id]];
        }

        _nodeIds = ids;
    }

    /// <summary>How strongly a row claims its value of a unique index, by its table's policy.</summary>
    private static ClaimRank Rank(ReconcileRow row, Metadata.Internal.ReplicatedUniqueIndex index)
    {
        if (row.IsPinned)
        {
            return new ClaimRank(Pinned: true, default, LaterFirst: false, row.Key);
        }

        var state = row.State!;
        if (row.Table.UniquePolicy == UniqueConflictPolicy.KeepLatest)
        {
            var written = index.Columns.Where(c => !c.IsKey && state.Columns.ContainsKey(c.Name)).Select(c => state.Columns[c.Name].Clock).ToList();
            return new ClaimRank(Pinned: false, written.Count > 0 ? written.Max() : state.AddTags.Min, LaterFirst: true, row.Key);
        }

        return new ClaimRank(Pinned: false, state.AddTags.Min, LaterFirst: false, row.Key);
    }

    /// <summary>The stored hold marker of a verdict's hold.</summary>
    private RowHold ToHold(ReconcileRow row, HoldVerdict hold)
    {
        var (table, key) = _nodeIds[hold.Related];
        return new RowHold(hold.Kind, table, key, hold.Index is { } i ? row.Table.UniqueIndexes[i].Name : null, hold.Eligible);
    }
}
