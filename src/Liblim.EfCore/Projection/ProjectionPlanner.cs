using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>
/// The decisions of a projection, over the rows a <see cref="Reconciler"/> has loaded and without a database: which rows
/// are shown, held back or projected (a <see cref="VisibilityGraph"/> of the loaded rows, the rows they reference outside
/// the set as fixed nodes), and then what that means: the data writes to make, the shadow rows to store, and what changed
/// for the app.
/// </summary>
internal static class ProjectionPlanner
{
    /// <summary>Gives every row its verdict; returns the row ids of the graph's nodes, which holds name.</summary>
    /// <param name="rows">The loaded rows.</param>
    /// <param name="external">The status of each row referenced from the set but not in it.</param>
    public static IReadOnlyList<(string Table, string Key)> Decide(IEnumerable<ReconcileRow> rows, IReadOnlyDictionary<(string, string), RowStatus> external)
    {
        var graph = new VisibilityGraph();
        var ids = new List<(string, string)>();
        var nodes = new Dictionary<(string, string), int>();
        var related = new List<ReconcileRow>();
        foreach (var row in rows)
        {
            if (row.Table.IsUnconstrained)
            {
                row.Verdict = VisibilityGraph.Unrelated(row.State is not null, row.IsAlive, row.IsPinned);
                continue;
            }

            nodes[row.Id] = graph.AddRow(row.State is not null, row.IsAlive, row.IsPinned);
            ids.Add(row.Id);
            related.Add(row);
        }

        int NodeOf((string, string) id)
        {
            if (!nodes.TryGetValue(id, out var node))
            {
                nodes[id] = node = graph.AddFixed(external[id]);
                ids.Add(id);
            }

            return node;
        }

        foreach (var row in related)
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
        foreach (var row in related)
        {
            row.Verdict = verdicts[nodes[row.Id]];
        }

        return ids;
    }

    /// <summary>
    /// What the verdicts mean: the data writes that make each table show what it should (unordered), and the shadow rows
    /// to store, the rows changed for the app and those newly held back.
    /// </summary>
    /// <param name="rows">The rows, with their verdicts.</param>
    /// <param name="nodes">The row ids of the graph's nodes (<see cref="Decide"/>).</param>
    /// <param name="parsed">Model values already parsed from the states' texts, if any.</param>
    public static (List<DataOp> Writes, ReconcileResult Result) Outcome(IEnumerable<ReconcileRow> rows, IReadOnlyList<(string Table, string Key)> nodes, ParsedValues? parsed)
    {
        var shadow = new List<ShadowRow>();
        var changed = new List<ChangedRow>();
        var heldBack = new List<HeldBackRow>();
        var ops = new List<DataOp>();
        foreach (var row in rows.OrderBy(r => r.Table.Name, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal))
        {
            if (row.State is null)
            {
                continue; // pinned: not replicated yet, left as it is
            }

            var verdict = row.Verdict!;
            var hold = verdict.Hold is { } h ? ToHold(row, h, nodes) : null;
            List<string> projected = verdict.Projected.Count == 0 ? [] : [.. verdict.Projected.SelectMany(p => row.Table.ForeignKeys[p].Columns).Select(c => c.Name)];
            var stored = RowStateCodec.Encode(row.Table, row.State, row.Changed ? row.Seq : row.Before!.Seq, hold, projected,
                source: row.Changed ? row.Source : row.Before!.Source,
                update: !row.Changed ? row.Before!.Update
                    : row.MergedFrom is { } from && row.Before is { } before ? new RowUpdate(row.Seq, before.Seq, from)
                    : null);
            var after = verdict.Status == RowStatus.Visible ? row.ShownRow(verdict.Projected, parsed) : null;
            var columns = ChangedColumns(row.Table, row.Data, after);
            var op = (row.Data, after) switch
            {
                (null, null) => null,
                (null, { } a) => DataOps.For(DataOpKind.Insert, row.Table, row.Key, null, a, stored),
                ({ } d, null) => DataOps.For(DataOpKind.Delete, row.Table, row.Key, d, null),
                ({ } d, { } a) => columns.Count == 0 ? null : DataOps.For(DataOpKind.Update, row.Table, row.Key, d, a, stored),
            };
            if (op is not null)
            {
                ops.Add(op);
            }

            var holdChanged = row.Before?.Held != stored.Held;
            if (row.Changed || stored != row.Before)
            {
                shadow.Add(stored);
            }

            var change = after is not null ? row.Data is null ? RowChange.Inserted : RowChange.Updated
                : row.IsAlive ? RowChange.HeldBack
                : row.Data is not null ? RowChange.Deleted : RowChange.None;
            if (row.Changed || op is not null || holdChanged)
            {
                changed.Add(ChangedRow.Of(row.Table, row.Key, change, columns));
            }

            if (hold is { IsShown: false } && (holdChanged || row.Before?.IsAlive != true))
            {
                heldBack.Add(new HeldBackRow(row.Table.Name, row.Key, row.Table.EntityName, (HoldBackReason)hold.Kind,
                    hold.Table, hold.Key, hold.Index, row.Values));
            }
        }

        return (ops, new ReconcileResult(shadow, changed, heldBack));
    }

    /// <summary>
    /// The value columns whose shown values differ between the data row before and after (none: the data row needs no
    /// update); every one for a row that appears, none for a row that leaves or stays out.
    /// </summary>
    private static IReadOnlyList<string> ChangedColumns(ReplicatedTable table, object?[]? before, object?[]? after)
    {
        if (after is null)
        {
            return [];
        }

        if (before is null)
        {
            return table.ValueNames;
        }

        List<string>? changed = null;
        foreach (var column in table.ValueColumns)
        {
            if (!column.SameValue(before[column.Ordinal], after[column.Ordinal]))
            {
                (changed ??= new List<string>(table.ValueColumns.Count)).Add(column.Name);
            }
        }

        return changed ?? (IReadOnlyList<string>)[];
    }

    /// <summary>How strongly a row claims its value of a unique index, by its table's policy.</summary>
    private static ClaimRank Rank(ReconcileRow row, ReplicatedUniqueIndex index)
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
    private static RowHold ToHold(ReconcileRow row, HoldVerdict hold, IReadOnlyList<(string Table, string Key)> nodes)
    {
        var (table, key) = nodes[hold.Related];
        return new RowHold(hold.Kind, table, key, hold.Index is { } i ? row.Table.UniqueIndexes[i].Name : null, hold.Eligible);
    }
}
