using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>The outcome (<see cref="ProjectionPlanner.Outcome"/>), its data writes run in a safe order.</summary>
internal sealed partial class Reconciler
{
    private async Task<ReconcileResult> WriteAsync()
    {
        var (writes, result) = ProjectionPlanner.Outcome(_rows.Values, _nodeIds, parsed);

        // A row inserted or updated stores its metadata with it when it is shown as it is (else nulls there).
        var inRow = writes.Where(o => o.Metadata is { } m && InRowClocks.Fits(m)).ToList();
        if (inRow.Count > 0)
        {
            var clocks = await session.Shadow.InRowClocksAsync([.. inRow.Select(o => o.Metadata!)], async, ct).ConfigureAwait(false);
            for (var i = 0; i < inRow.Count; i++)
            {
                inRow[i].Clocks = clocks[i];
            }
        }

        var (executed, reseated) = await ExecuteAsync(writes).ConfigureAwait(false);
        var withData = executed.Where(o => o.Metadata is not null).Select(o => (o.Table, o.Key)).ToHashSet();
        if (reseated.Count == 0)
        {
            return result with { WrittenWithData = withData };
        }

        // A row deleted and inserted again as it was keeps its metadata: stored again, unless the outcome stores it anew.
        var stored = result.Metadata.Select(m => (m.Table, m.Key)).ToHashSet();
        return result with { Metadata = [.. result.Metadata, .. reseated.Where(m => !stored.Contains((m.Table, m.Key)))], WrittenWithData = withData };
    }

    /// <summary>
    /// Orders the writes (re-seating updates that exchange unique values) and runs them; returns the writes run and the
    /// metadata of the re-seated rows.
    /// </summary>
    private async Task<(List<DataOp> Executed, List<ShadowRow> Reseated)> ExecuteAsync(List<DataOp> ops)
    {
        var reseated = new List<ShadowRow>();
        if (ops.Count == 0)
        {
            return (ops, reseated);
        }

        if (!session.Model.HasConstraints)
        {
            // No foreign key or unique index anywhere: no write can break a constraint for another, any order does.
            await DataWriter.ExecuteAsync(session, [new DataStep(ops, Combined: false)], async, ct).ConfigureAwait(false);
            return (ops, reseated);
        }

        var deferred = session.Dialect.DeferForeignKeysSql is not null;
        WritePlan.Result plan;
        while ((plan = WritePlan.Order(ops, deferred)).Reseat.Count > 0)
        {
            ops = await ReseatAsync(ops, plan.Reseat, reseated).ConfigureAwait(false);
        }

        await DataWriter.ExecuteAsync(session, plan.Steps, async, ct).ConfigureAwait(false);
        return (ops, reseated);
    }

    /// <summary>
    /// Turns updates into a delete and an insert, with every row that references them, directly or not (a database would
    /// otherwise cascade, null or refuse the delete): those are deleted and inserted again as they are.
    /// </summary>
    /// <param name="ops">The writes.</param>
    /// <param name="updates">The updates to turn into a delete and an insert.</param>
    /// <param name="metadata">Receives the metadata of the re-seated rows, read before they are deleted.</param>
    private async Task<List<DataOp>> ReseatAsync(List<DataOp> ops, IReadOnlyList<DataOp> updates, List<ShadowRow> metadata)
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
            if ((await session.Shadow.ReadRowsAsync(seat.Table.Name, [seat.Key], async, ct).ConfigureAwait(false)).GetValueOrDefault(seat.Key) is { } kept)
            {
                metadata.Add(kept);
            }

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
