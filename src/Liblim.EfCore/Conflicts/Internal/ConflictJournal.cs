using Liblim.EfCore.Capture.Internal;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Conflicts.Internal;

/// <summary>The conflict journal as the app sees it: entries typed by the model, and a losing value written back.</summary>
internal static class ConflictJournal
{
    public static async Task<IReadOnlyList<LiblimConflict>> ReadAsync(DbContext context, ConflictQuery query, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Take);
        var session = context.GetService<StoreSession>();
        var table = query.EntityType is null ? null : TableOf(context, query.EntityType);
        if (query.Key is not null && table is null)
        {
            throw new ArgumentException("A conflict query by key needs the entity type of the row (ConflictQuery.EntityType).", nameof(query));
        }

        var key = query.Key is null ? null : table!.EncodeKey(query.Key is object?[] values ? values : [query.Key]);
        var transaction = await OwnedTransaction.BeginSnapshotAsync(context, async: true, ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var entries = await session.Shadow.ReadConflictsAsync(table?.Name, key, query.Since, query.Until, query.Skip, query.Take, async: true, ct).ConfigureAwait(false);
            return [.. entries.Select(e => Typed(session.Model.FindTable(e.Table), e))];
        }
    }

    /// <summary>Writes a conflict's losing value back into its row, as a new local write (it wins over every write the row has seen).</summary>
    public static Task RestoreAsync(DbContext context, LiblimConflict conflict, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        var table = session.Model.FindTable(conflict.Table)
            ?? throw new LiblimException($"'{conflict.Table}' is not a replicated table of {context.GetType().Name}: its conflict cannot be restored here.");
        var column = table.FindColumn(conflict.Column)
            ?? throw new LiblimException($"'{conflict.Table}' has no column '{conflict.Column}' in this model: its conflict cannot be restored here.");
        return StoredRowWrite.WriteAsync(context, table, conflict.KeyText,
            stored => stored is { IsAlive: true } ? null : $"Row {conflict.KeyText} of '{conflict.Table}' is deleted: a value of it cannot be restored.",
            (state, at) => state.Write([KeyValuePair.Create(column.Name, (string?)conflict.Loser.Json)], at), ct);
    }

    private static ReplicatedTable TableOf(DbContext context, Type entityType)
    {
        var model = ReplicationModel.For(context.Model);
        return (context.Model.FindEntityType(entityType) is { } type ? model.FindMapping(type)?.Table : null)
               ?? throw new ArgumentException($"'{entityType.Name}' is not a replicated entity type of {context.GetType().Name}.", nameof(entityType));
    }

    private static LiblimConflict Typed(ReplicatedTable? table, JournaledConflict entry)
    {
        var (id, tableName, key, (columnName, winner, loser), decidedAt) = entry;
        var column = table?.FindColumn(columnName);
        ConflictValue Side(Crdt.ColumnValue value) => new(value.Json!, column?.FromJson(value.Json!), value.Clock);
        return new LiblimConflict(id, tableName, table?.EntityType, key, table?.DecodeKey(key) ?? [], columnName, column?.Property.Name,
            winner is { } w ? Side(w) : null, Side(loser), decidedAt);
    }
}
