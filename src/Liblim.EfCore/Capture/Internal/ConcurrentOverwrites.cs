using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// A local write over a value its writer never saw: a sync merged another node's write of the column into the row after the
/// entity was loaded, and the SaveChanges writes the column again. The local write wins (it is later), and the journal
/// records the value it replaced as lost (docs/semantics.md, "Conflicts"). Found only for rows whose feed position moved
/// since the entity was loaded, and for columns of the entity itself (not of an owned type sharing its row).
/// </summary>
internal static class ConcurrentOverwrites
{
    /// <param name="write">The SaveChanges' write, which journals what it finds.</param>
    /// <param name="session">The context's store session.</param>
    /// <param name="table">The rows' table.</param>
    /// <param name="rows">Updated rows whose position moved since their entities were loaded: each with its stored metadata and the columns written.</param>
    /// <param name="at">The write's timestamp.</param>
    /// <param name="async">Whether to run the database work asynchronously.</param>
    /// <param name="ct">Cancels it.</param>
    public static async Task JournalAsync(ReplicaWrite write, StoreSession session, ReplicatedTable table, List<(CapturedRow Row, ShadowRow Stored, HashSet<string> Changed)> rows,
        HybridTimestamp at, bool async, CancellationToken ct)
    {
        var found = new List<(CapturedRow Row, ReplicatedColumn Column, IProperty Property, HybridTimestamp Stored)>();
        foreach (var (row, stored, changed) in rows)
        {
            var (entry, mapping, _, clocks) = row.Loaded!.Value;
            var loaded = await session.Shadow.ExpandInRowAsync(table.Name, row.Key, clocks, async, ct).ConfigureAwait(false);
            foreach (var (column, property) in mapping.ValueProperties)
            {
                // Written again by another node since the load: not this one's own earlier save through the same context.
                if (changed.Contains(column.Name) && ClockOf(stored, column.Name) is var now && now != ClockOf(loaded, column.Name) && now.Node != write.NodeId)
                {
                    found.Add((row, column, property, now));
                }
            }
        }

        if (found.Count == 0)
        {
            return;
        }

        // The values they replace, as the data rows hold them before EF's statements run.
        var values = await session.Rows(table).ReadAsync([.. found.Select(f => f.Row.Key).Distinct(StringComparer.Ordinal)], table.DecodeKey, async, ct).ConfigureAwait(false);
        foreach (var byRow in found.GroupBy(f => f.Row))
        {
            if (!values.TryGetValue(byRow.Key.Key, out var data))
            {
                continue;
            }

            var entry = byRow.Key.Loaded!.Value.Entry;
            write.Journal(table, byRow.Key.Key, [.. byRow.Select(f => new ColumnConflict(f.Column.Name,
                new ColumnValue(f.Column.ToJson(entry.Property(f.Property.Name).CurrentValue), at, f.Stored),
                new ColumnValue(f.Column.ToJson(data[f.Column.Ordinal]), f.Stored)))]);
        }
    }

    /// <summary>A column's clock in a logical metadata row: its own when listed, else the base clock.</summary>
    private static HybridTimestamp ClockOf(ShadowRow row, string column)
        => RegisterClocks.Of(row) is { } listing ? listing.Of(column, HybridTimestamp.Parse(row.Clock)).Clock : HybridTimestamp.Parse(row.Clock);
}
