using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>The outcome: data writes in a safe order, metadata rows, and what changed for an app.</summary>
internal sealed partial class Reconciler
{
    private async Task<ReconcileResult> WriteAsync()
    {
        var metadata = new List<ShadowRow>();
        var changed = new List<ChangedRow>();
        var heldBack = new List<HeldBackRow>();
        var ops = new List<DataOp>();
        foreach (var row in _rows.Values.OrderBy(r => r.Table.Name, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal))
        {
            if (row.State is null)
            {
                continue; // pinned: not replicated yet, left as it is
            }

            var verdict = row.Verdict!;
            var hold = verdict.Hold is { } h ? ToHold(row, h) : null;
            var after = verdict.Status == RowStatus.Visible ? row.ShownRow(verdict.Projected, parsed) : null;
            var op = (row.Data, after) switch
            {
                (null, null) => null,
                (null, { } a) => DataOps.For(DataOpKind.Insert, row.Table, row.Key, null, a),
                ({ } d, null) => DataOps.For(DataOpKind.Delete, row.Table, row.Key, d, null),
                ({ } d, { } a) => SameValues(row, d, a) ? null : DataOps.For(DataOpKind.Update, row.Table, row.Key, d, a),
            };
            if (op is not null)
            {
                ops.Add(op);
            }

            List<string> projected = verdict.Projected.Count == 0 ? [] : [.. verdict.Projected.SelectMany(p => row.Table.ForeignKeys[p].Columns).Select(c => c.Name)];
            var stored = RowStateCodec.Encode(row.State, row.Changed ? row.Seq : row.Before!.Seq, hold, projected)
                with { Source = row.Changed ? row.Source : row.Before!.Source };
            var holdChanged = row.Before?.Held != stored.Held;
            if (row.Changed || stored != row.Before)
            {
                metadata.Add(stored);
            }

            var change = after is not null ? row.Data is null ? RowChange.Inserted : RowChange.Updated
                : row.IsAlive ? RowChange.HeldBack
                : row.Data is not null ? RowChange.Deleted : RowChange.None;
            if (row.Changed || op is not null || holdChanged)
            {
                changed.Add(new ChangedRow(row.Table.Name, row.Key, change));
            }

            if (hold is { IsShown: false } && (holdChanged || row.Before?.IsAlive != true))
            {
                heldBack.Add(new HeldBackRow(row.Table.Name, row.Key, row.Table.EntityName, (HoldBackReason)hold.Kind,
                    hold.Table, hold.Key, hold.Index, row.Values));
            }
        }

        await ExecuteAsync(ops).ConfigureAwait(false);
        return new ReconcileResult(metadata, changed, heldBack);
    }

    private static bool SameValues(ReconcileRow row, object?[] current, object?[] shown)
        => row.Table.ValueColumns.All(c => c.ToJson(current[c.Ordinal]) == c.ToJson(shown[c.Ordinal]));

    /// <summary>Orders the writes (re-seating updates that exchange unique values) and runs them.</summary>
    private async Task ExecuteAsync(List<DataOp> ops)
    {
        if (ops.Count == 0)
        {
            return;
        }

        if (!session.Model.HasConstraints)
        {
            // No foreign key or unique index anywhere: no write can break a constraint for another, any order does.
            await DataWriter.ExecuteAsync(session, [new DataStep(ops, Combined: false)], async, ct).ConfigureAwait(false);
            return;
        }

        var deferred = session.Dialect.DeferForeignKeysSql is not null;
        WritePlan.Result plan;
        while ((plan = WritePlan.Order(ops, deferred)).Reseat.Count > 0)
        {
            ops = await ReseatAsync(ops, plan.Reseat).ConfigureAwait(false);
        }

        await DataWriter.ExecuteAsync(session, plan.Steps, async, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Turns updates into a delete and an insert, with every row that references them, directly or not (a database would
    /// otherwise cascade, null or refuse the delete): those are deleted and inserted again as they are.
    /// </summary>
    private async Task<List<DataOp>> ReseatAsync(List<DataOp> ops, IReadOnlyList<DataOp> updates)
    {
        var result = ops.ToList();
        var queue = new Queue<(ReplicatedTable Table, string Key)>();
        var seated = new HashSet<(string, string)>();
        void Reseat(ReplicatedTable table, string key, object?[] current, object?[] row)
        {
            if (seated.Add((table.Name, key)))
            {
                result.RemoveAll(o => o.Table == table.Name && o.Key == key);
                result.Add(DataOps.For(DataOpKind.Delete, table, key, current, null));
                result.Add(DataOps.For(DataOpKind.Insert, table, key, null, row));
                queue.Enqueue((table, key));
            }
        }

        foreach (var update in updates)
        {
            Reseat(session.Model.FindTable(update.Table)!, update.Key, update.Current!, update.Row!);
        }

        while (queue.TryDequeue(out var seat))
        {
            foreach (var fk in seat.Table.ReferencedBy)
            {
                var dependents = await session.Rows(fk.Dependent).ReadWhereAsync(fk.Columns, [seat.Table.DecodeKey(seat.Key)], async, ct).ConfigureAwait(false);
                foreach (var (key, data) in dependents)
                {
                    var existing = result.Where(o => o.Table == fk.Dependent.Name && o.Key == key).ToList();
                    if (existing.Any(o => o.Kind == DataOpKind.Delete))
                    {
                        continue; // leaving anyway (or already re-seated)
                    }

                    var update = existing.FirstOrDefault(o => o.Kind == DataOpKind.Update);
                    Reseat(fk.Dependent, key, data, update?.Row ?? data);
                }
            }
        }

        return result;
    }
}
