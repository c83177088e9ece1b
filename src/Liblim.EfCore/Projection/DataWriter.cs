using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>Runs the steps of a <see cref="WritePlan"/> against the data tables.</summary>
internal static class DataWriter
{
    private static readonly DataOpKind[] KindOrder = [DataOpKind.Delete, DataOpKind.Update, DataOpKind.Insert];

    public static async Task ExecuteAsync(StoreSession session, IReadOnlyList<DataStep> steps, bool async, CancellationToken ct)
    {
        if (steps.Count == 0)
        {
            return;
        }

        if (session.Dialect.DeferForeignKeysSql is { } defer)
        {
            using var command = session.CreateCommand(defer);
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }

        foreach (var step in steps)
        {
            if (step.Combined && session.Dialect.WritesTablesInOneStatement)
            {
                await CombinedAsync(session, step.Ops, async, ct).ConfigureAwait(false);
                continue;
            }

            foreach (var (table, kind, ops) in Groups(session, step.Ops))
            {
                var store = session.Rows(table);
                var write = kind switch
                {
                    DataOpKind.Delete => store.DeleteAsync([.. ops.Select(o => o.Key)], async, ct),
                    DataOpKind.Update => store.UpdateAsync([.. ops.Select(o => o.ToRowWrite())], async, ct),
                    _ => store.InsertAsync([.. ops.Select(o => o.ToRowWrite())], async, ct),
                };
                await write.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes whose references form a cycle, as one statement: its foreign keys are checked at its end.</summary>
    private static async Task CombinedAsync(StoreSession session, IReadOnlyList<DataOp> ops, bool async, CancellationToken ct)
    {
        using var command = session.CreateCommand("");
        var parts = new List<string>();
        foreach (var (table, kind, group) in Groups(session, ops))
        {
            var store = session.Rows(table);
            var prefix = $"c{parts.Count}_";
            switch (kind)
            {
                case DataOpKind.Delete:
                    parts.Add(store.Delete(command, [.. group.Select(o => o.Key)], prefix));
                    break;
                case DataOpKind.Update:
                    foreach (var op in group)
                    {
                        parts.Add(store.Update(command, op.ToRowWrite(), $"c{parts.Count}_"));
                    }

                    break;
                case DataOpKind.Insert:
                    parts.Add(store.Insert(command, [.. group.Select(o => o.ToRowWrite())], prefix));
                    break;
            }
        }

        command.CommandText = "WITH " + string.Join(", ", parts.Select((p, i) => $"s{i} AS ({p})")) + " SELECT 1";
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
    }

    private static IEnumerable<(Metadata.Internal.ReplicatedTable Table, DataOpKind Kind, List<DataOp> Ops)> Groups(StoreSession session, IReadOnlyList<DataOp> ops)
    {
        foreach (var kind in KindOrder)
        {
            foreach (var byTable in ops.Where(o => o.Kind == kind).GroupBy(o => o.Table, StringComparer.Ordinal))
            {
                yield return (session.Model.FindTable(byTable.Key)!, kind, byTable.ToList());
            }
        }
    }
}
