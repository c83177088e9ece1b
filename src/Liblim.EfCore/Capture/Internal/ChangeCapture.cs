using Liblim.EfCore.Crdt;
using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// Turns the pending changes of a SaveChanges into new row states: an insert adds a tag and stamps every
/// column, an update stamps only the columns whose value really changed, a delete tombstones the row's tags
/// and keeps its values. Runs before EF writes the data, inside the transaction that will hold both.
/// </summary>
internal static class ChangeCapture
{
    /// <summary>
    /// The replicated rows a SaveChanges writes, as EF has detected them once every SaveChanges interceptor has run (an
    /// app's own may have added or edited some), refusing what replication forbids (a change to an insert-only table);
    /// null when no replicated row changes, and the SaveChanges needs nothing of Liblim's.
    /// </summary>
    public static DetectedChanges? Detected(DbContext context)
    {
        var model = ReplicationModel.For(context.Model);
        if (!model.Tables.Any())
        {
            return null;
        }

        var (rows, tracked) = CollectDetected(context, model);
        return rows.Count == 0 ? null : new DetectedChanges(rows, tracked);
    }

    /// <summary>Refuses a change replication forbids: an insert-only row updated or deleted.</summary>
    private static void RefuseForbidden(EntityEntry entry, ReplicatedTable table)
    {
        if (table.Kind == ReplicationKind.InsertOnly && entry.State != EntityState.Added)
        {
            throw new InsertOnlyViolationException(entry.Metadata.DisplayName(), entry.State == EntityState.Deleted ? "deleted" : "updated");
        }
    }

    /// <summary>
    /// Prepares the new row states of the changes EF is about to write (<see cref="Detected"/>, just before it makes its
    /// commands), in the transaction begun for them; gives inserted rows the metadata EF's INSERT is to write with them
    /// (<see cref="WriteWithDataAsync"/>). Disposes the transaction on failure.
    /// </summary>
    public static async Task<PendingCapture> PrepareAsync(DbContext context, DetectedChanges changes, OwnedTransaction transaction, bool async, CancellationToken ct)
    {
        ReplicaWrite? write = null;
        try
        {
            var (rows, tracked) = (changes.Rows, changes.Tracked);
            var session = context.GetService<StoreSession>();
            var metadata = session.Shadow;
            write = await ReplicaWrite.BeginAsync(context, async, ct, transaction).ConfigureAwait(false);
            var at = write.Stamp();
            await DatabaseCascade.AddAsync(session, rows, tracked, async, ct).ConfigureAwait(false);
            await write.ReserveAsync(rows.Count).ConfigureAwait(false);
            var captured = new List<CapturedState>(rows.Count);
            var inserting = new List<(EntityEntry Owner, ShadowRow? InRow)>();
            string? atText = null;
            foreach (var byTable in rows.Values.GroupBy(r => r.Table))
            {
                var table = byTable.Key;
                var tableRows = byTable.ToList();
                // A row shown as it is holds its metadata: the rows whose values are needed are read with it. An inserted
                // key has no data row (EF would refuse a second one): its metadata, if any, is a tombstone aside.
                var needValues = tableRows.Where(r => r.Operation == RowOperation.Delete || r.Unsure.Count > 0).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
                var storedValues = new Dictionary<string, object?[]>(StringComparer.Ordinal);
                var inserted = tableRows.Where(r => r.Operation == RowOperation.Insert).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
                var existing = await metadata.ReadRowsAsync(table.Name, tableRows.Select(r => r.Key).ToList(), async, ct,
                    needValues.Count == 0 ? null : storedValues, notInTable: inserted).ConfigureAwait(false);
                var unread = needValues.Where(k => !storedValues.ContainsKey(k)).ToList();
                if (unread.Count > 0)
                {
                    foreach (var (key, values) in await session.Rows(table).ReadAsync(unread, async, ct).ConfigureAwait(false))
                    {
                        storedValues[key] = values;
                    }
                }

                List<(CapturedRow, ShadowRow, HashSet<string>)>? movedSinceLoaded = null;
                foreach (var row in tableRows)
                {
                    var before = existing.GetValueOrDefault(row.Key);
                    var values = needValues.Contains(row.Key) ? storedValues.GetValueOrDefault(row.Key) : null;
                    var changed = row.Operation == RowOperation.Update ? Changed(row, values) : null;
                    if (changed is { Count: 0 } && before is { IsAlive: true })
                    {
                        continue; // marked modified, but no value differs from the stored row
                    }

                    if (row.Loaded is { } loaded && before is { IsShown: true } && loaded.Seq != before.Seq && changed is { Count: > 0 })
                    {
                        (movedSinceLoaded ??= []).Add((row, before, changed)); // the row changed since its entity was loaded
                    }

                    var direct = table.IsUnconstrained && before is null or { Held: null, Awaiting: null };
                    if (direct && Edit(row, before, values, changed, atText ??= at.ToString(), write.PeekSeq()) is { } edited)
                    {
                        captured.Add(new CapturedState(table, null, before, write.NextSeq(), edited));
                    }
                    else if (Apply(row, before, values, changed, at) is { } state)
                    {
                        var seq = write.NextSeq();
                        captured.Add(new CapturedState(table, state, before, seq, direct ? RowStateCodec.Encode(table, state, seq) : null));
                    }
                    else
                    {
                        continue;
                    }

                    if (row.Inserting is { } owner)
                    {
                        inserting.Add((owner, captured[^1].Stored is { } stored && InRowClocks.Fits(stored) ? stored : null));
                    }
                }

                if (movedSinceLoaded is not null)
                {
                    await ConcurrentOverwrites.JournalAsync(write, session, table, movedSinceLoaded, at, async, ct).ConfigureAwait(false);
                }
            }

            await WriteWithDataAsync(write, metadata, inserting, async, ct).ConfigureAwait(false);
            return new PendingCapture(captured, write);
        }
        catch
        {
            await (write ?? (IAsyncDisposable)transaction).DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Gives the entities of inserted rows whose metadata is kept in their data rows that metadata, in the row metadata
    /// properties (<see cref="RowMetadataNames"/>), so that EF's own INSERT writes it: EF's INSERT has those columns
    /// anyway, and a second statement per row afterwards is saved. The other inserted entities get nulls there, not what
    /// an earlier, failed SaveChanges of theirs left. (An updated row's metadata is still written by a statement of
    /// Liblim's: two more parameters in each of EF's UPDATEs cost more than that statement on SQLite, as measured;
    /// docs/benchmarks.md.) Runs before EF makes its commands (<see cref="CaptureBatchExecutor"/>); tells the write which rows
    /// EF writes the metadata of.
    /// </summary>
    private static async Task WriteWithDataAsync(ReplicaWrite write, ShadowStore metadata, List<(EntityEntry Owner, ShadowRow? InRow)> inserted, bool async, CancellationToken ct)
    {
        var inRow = inserted.Where(r => r.InRow is not null).Select(r => r.InRow!).ToList();
        var clocks = await metadata.InRowClocksAsync(inRow, async, ct).ConfigureAwait(false);
        var next = 0;
        foreach (var (owner, row) in inserted)
        {
            owner.Property(RowMetadataNames.Seq).CurrentValue = row?.Seq;
            owner.Property(RowMetadataNames.Clocks).CurrentValue = row is null ? null : clocks[next++];
            if (row is not null)
            {
                write.WrittenWithData(row);
            }
        }
    }

    /// <summary>The rows EF is about to write, as it has detected them: no detection pass of its own.</summary>
    private static (Dictionary<(ReplicatedTable, string), CapturedRow> Rows, Dictionary<(ReplicatedTable, string), EntityEntry> Tracked) CollectDetected(DbContext context, ReplicationModel model)
    {
        var tracker = context.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return Collect(context, model);
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }

    /// <summary>
    /// Once EF has written the data: records the new states through the write begun by <see cref="PrepareAsync"/> (most rows'
    /// metadata follows from their state alone; the others are reconciled with the rows they relate to: a parent inserted
    /// here shows the rows waiting for it, a unique value given up shows the row held back for it, a row whose unique value
    /// an earlier row claims is held back), and commits.
    /// </summary>
    public static async Task CommitAsync(PendingCapture pending, CancellationToken ct)
    {
        var write = pending.Write;
        await using var ending = write.ConfigureAwait(false);
        foreach (var c in pending.States)
        {
            if (c.Stored is { } stored)
            {
                write.Store(stored);
            }
            else
            {
                write.Change(c.Table, c.State!, c.Before, c.Seq, source: null);
            }
        }

        await write.StoreAsync().ConfigureAwait(false);
        await write.CommitAsync().ConfigureAwait(false);
    }

    /// <summary>Rolls back the transaction Liblim opened for a SaveChanges that failed or was cancelled.</summary>
    public static ValueTask AbandonAsync(PendingCapture pending) => pending.Write.DisposeAsync();

    /// <summary>
    /// The new metadata row of a row of an unconstrained table, made straight from its stored metadata when that says
    /// all (a key's first insert; a write or delete of a row shown as it is); null to go through its state.
    /// </summary>
    private static ShadowRow? Edit(CapturedRow row, ShadowRow? before, object?[]? values, HashSet<string>? changed, string at, long seq)
    {
        var table = row.Table;
        return (row.Operation, before) switch
        {
            (RowOperation.Insert, null) => RowStateCodec.FirstInsert(table.Name, row.Key, seq, at),
            (RowOperation.Update, { } b) when RowStateCodec.IsPlainlyShown(b) => RowStateCodec.Written(b, table.ValueNamesByName, changed!.Contains, at, seq),
            (RowOperation.Delete, { } b) when values is not null && RowStateCodec.IsPlainlyShown(b)
                => RowStateCodec.Deleted(b, table.ValueNamesByName, (sb, i) => table.ValueColumnsByName[i].AppendJson(sb, values[table.ValueColumnsByName[i].Ordinal]), seq),
            _ => null,
        };
    }

    /// <summary>The columns of an updated row whose value changed; those marked modified with an unchanged value are compared with the stored row.</summary>
    private static HashSet<string> Changed(CapturedRow row, object?[]? storedValues)
    {
        var changed = row.Changed.ToHashSet(StringComparer.Ordinal);
        foreach (var (column, current) in row.Unsure)
        {
            if (storedValues is null || !column.Property.GetValueComparer().Equals(storedValues[column.Ordinal], current))
            {
                changed.Add(column.Name);
            }
        }

        return changed;
    }

    private static RowState? Apply(CapturedRow row, ShadowRow? existing, object?[]? storedValues, HashSet<string>? changed, HybridTimestamp at)
    {
        var table = row.Table;
        var liveValues = storedValues is null ? null : table.ValuesToJson(storedValues);
        var state = existing is null ? null : RowStateCodec.Decode(table, existing, storedValues);
        var allColumns = table.ValueColumns.Select(c => new KeyValuePair<string, string?>(c.Name, liveValues?.GetValueOrDefault(c.Name)));
        switch (row.Operation)
        {
            case RowOperation.Insert:
                return (state ?? RowState.Empty(table.Name, row.Key)).Insert(allColumns, at);
            case RowOperation.Delete:
                // A row stored before replication was turned on is adopted as inserted, then deleted.
                return (state is { IsAlive: true } ? state : Adopt(state, table, row.Key, allColumns, at)).Delete();
            default:
                if (state is not { IsAlive: true })
                {
                    return Adopt(state, table, row.Key, allColumns, at);
                }

                return changed!.Count == 0
                    ? null
                    : state.Write(changed.Select(c => new KeyValuePair<string, string?>(c, null)), at);
        }
    }

    /// <summary>
    /// A row stored before its entity was replicated (or written behind Liblim's back) is taken as inserted now,
    /// keeping whatever tombstones its metadata already had.
    /// </summary>
    private static RowState Adopt(RowState? state, ReplicatedTable table, string key, IEnumerable<KeyValuePair<string, string?>> columns, HybridTimestamp at)
        => (state ?? RowState.Empty(table.Name, key)).Insert(columns, at);

    /// <summary>
    /// The rows the SaveChanges writes, and the tracked replicated rows (principal entries) that a database cascade could
    /// reach (rows of tables with foreign keys), by table and key. <c>ChangeTracker.Entries()</c> detects changes first
    /// when the app has automatic detection on, as SaveChanges would.
    /// </summary>
    private static (Dictionary<(ReplicatedTable, string), CapturedRow> Rows, Dictionary<(ReplicatedTable, string), EntityEntry> Tracked) Collect(DbContext context, ReplicationModel model)
    {
        var rows = new Dictionary<(ReplicatedTable, string), CapturedRow>();
        var tracked = new Dictionary<(ReplicatedTable, string), EntityEntry>();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (model.FindMapping(entry.Metadata) is not { } mapping)
            {
                continue;
            }

            var table = mapping.Table;
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                if (mapping.IsPrincipal && entry.State == EntityState.Unchanged && table.ForeignKeys.Count > 0)
                {
                    tracked[(table, table.EncodeKey(KeyValues(entry, mapping)))] = entry;
                }

                continue;
            }

            RefuseForbidden(entry, table);

            var key = table.EncodeKey(KeyValues(entry, mapping));
            if (mapping.IsPrincipal && table.ForeignKeys.Count > 0)
            {
                tracked[(table, key)] = entry;
            }

            if (!rows.TryGetValue((table, key), out var row))
            {
                rows[(table, key)] = row = new CapturedRow(table, key);
            }

            if (mapping.IsPrincipal && entry.State == EntityState.Added)
            {
                row.Inserting = entry; // its metadata columns hold only what this capture gives them (WriteWithDataAsync)
            }

            if (mapping.IsPrincipal && entry.State == EntityState.Modified
                && entry.Property(RowMetadataNames.Seq).OriginalValue is long seq && entry.Property(RowMetadataNames.Clocks).OriginalValue is string clocks)
            {
                row.Loaded = (entry, mapping, seq, clocks);
            }

            if (mapping.IsPrincipal && entry.State != EntityState.Modified)
            {
                row.Operation = entry.State == EntityState.Added ? RowOperation.Insert : RowOperation.Delete;
                continue;
            }

            foreach (var (column, property) in mapping.ValueProperties)
            {
                var p = entry.Property(property);
                if (entry.State != EntityState.Modified)
                {
                    row.Changed.Add(column.Name); // an owned part added to or removed from its owner's row
                }
                else if (p.IsModified)
                {
                    if (!property.GetValueComparer().Equals(p.OriginalValue, p.CurrentValue))
                    {
                        row.Changed.Add(column.Name);
                    }
                    else
                    {
                        // Marked modified with an unchanged value (Update, Attach): compare with the stored row.
                        row.Unsure.Add((column, p.CurrentValue));
                    }
                }
            }
        }

        return (rows, tracked);
    }

    private static object?[] KeyValues(EntityEntry entry, EntityTableMapping mapping)
    {
        var keyValues = new object?[mapping.KeyProperties.Length];
        for (var i = 0; i < keyValues.Length; i++)
        {
            keyValues[i] = entry.Property(mapping.KeyProperties[i]).CurrentValue;
        }

        return keyValues;
    }
}
