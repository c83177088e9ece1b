using System.Text.Json;
using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Cli.Reports;

/// <summary>One row's replicated state, as stored in a replica, in the terms of docs/semantics.md.</summary>
/// <param name="Database">The database, as named in output.</param>
/// <param name="Table">The replicated table.</param>
/// <param name="Key">The canonical key text (a JSON array of the key's values).</param>
/// <param name="State">shown, projected (shown with references shown null), held back, deleted, or kept (a table or column of a newer model).</param>
/// <param name="Position">Its feed position: the local sequence number of its last change.</param>
/// <param name="Hold">Why it is not shown as it is, and the row it waits for; null when shown as it is, or deleted.</param>
/// <param name="Origin">Where its latest change came from, as far as this replica recorded it.</param>
/// <param name="BaseClock">
/// The clock it is stored with, of every column no later write changed (all of them right after its insert): the columns
/// written since have clocks of their own.
/// </param>
/// <param name="AddTags">The add tags no delete has observed: the inserts that keep it alive.</param>
/// <param name="Tombstones">The add tags deletes have observed.</param>
/// <param name="ValuesFrom">Where its values are read: the data row, the metadata row (<c>__liblim_rows</c>), or both.</param>
/// <param name="Columns">Each column's register: its value (canonical JSON as this database holds it) and the clock of its write.</param>
internal sealed record RowReport(string Database, string Table, string Key, string State, long Position, HoldReport? Hold, RowOrigin Origin,
    ClockReport BaseClock, IReadOnlyList<ClockReport> AddTags, IReadOnlyList<ClockReport> Tombstones, string ValuesFrom, IReadOnlyList<ColumnReport> Columns)
{
    /// <summary>Reads a row by its key, as given on the command line (<see cref="KeyArgument"/>).</summary>
    /// <exception cref="CliException">No such table, a key that is not one of the table, or no such row.</exception>
    public static Task<RowReport> ReadAsync(InspectedReplica replica, string tableName, string keyText, CancellationToken ct) => replica.ReadAsync(async session =>
    {
        var table = replica.Table(session, tableName);
        var key = KeyArgument.Parse(table, keyText);
        var stored = await session.Shadow.ReadStatesAsync(table, [key], async: true, ct).ConfigureAwait(false);
        if (!stored.TryGetValue(key, out var found))
        {
            var inTable = (await session.Rows(table).ReadAsync([key], async: true, ct).ConfigureAwait(false)).Count > 0;
            throw new CliException(inTable
                ? $"row {key} of {table.Name} in {replica.Address.Display} has no replication metadata yet: it was stored before its table was replicated, " +
                  "or around Liblim, and is adopted at the app's next write or sync (docs/semantics.md, \"Existing rows\")"
                : $"{replica.Address.Display} has no row {key} in {table.Name} (key: {KeyArgument.Describe(table)})");
        }

        var state = await ReplicaStateRow.ReadAsync(session, ct).ConfigureAwait(false);
        var peers = await session.Shadow.ReadPeersAsync(async: true, ct).ConfigureAwait(false);
        return Describe(replica.Address.Display, found.Row, found.State, new NodeLabels(state?.NodeId, peers.Select(p => (p.Peer, p.Address))));
    }, ct);

    private static RowReport Describe(string database, ShadowRow row, RowState state, NodeLabels labels)
    {
        var kept = row.KeptValues is null
            ? []
            : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(row.KeptValues)!.Keys.ToHashSet(StringComparer.Ordinal);
        var hold = row.Hold;
        var stateName = !row.IsAlive ? "deleted"
            : row.IsHeldBack ? "held back"
            : hold?.Kind == HoldKind.Projected ? "projected"
            : hold?.Kind == HoldKind.NotInModel || row.Awaiting is not null ? "kept"
            : "shown";
        var columns = new List<ColumnReport>();
        foreach (var (name, register) in state.Columns)
        {
            columns.Add(new ColumnReport(name, register.Json, ClockReport.Of(register.Clock, labels),
                register.Prior is { } prior ? ClockReport.Of(prior, labels) : null, kept.Contains(name)));
        }

        var update = row.LatestUpdate;
        var origin = new RowOrigin(
            row.Source is { } source ? Guid.ParseExact(source, "N") : null,
            update is not { } u ? null : u.From is null ? "local update" : "merge",
            update?.From is { } from ? Guid.ParseExact(from, "N") : null);
        return new RowReport(database, row.Table, row.Key, stateName, row.Seq,
            hold is null || hold.Kind == HoldKind.NotInModel ? null : new HoldReport(hold.Kind.ToString(), hold.Table, hold.Key, hold.Index),
            origin,
            ClockReport.Of(HybridTimestamp.Parse(row.Clock), labels),
            [.. state.AddTags.Select(t => ClockReport.Of(t, labels))],
            [.. state.Tombstones.Select(t => ClockReport.Of(t, labels))],
            kept.Count == 0 ? "data row" : columns.All(c => c.Kept) ? "metadata row" : "data row and metadata row",
            columns);
    }
}

/// <summary>Why a row is not shown as it is (<c>__liblim_rows.held</c>).</summary>
/// <param name="Reason">MissingParent, DeletedParent, ParentHeldBack, UniqueConflict, or Projected (shown, its reference shown null).</param>
/// <param name="Table">The table of the row it waits for: the parent, or the row keeping the unique value.</param>
/// <param name="Key">That row's key.</param>
/// <param name="Index">For a unique conflict: the unique index.</param>
internal sealed record HoldReport(string Reason, string Table, string Key, string? Index);

/// <summary>Where a row's latest change came from, as far as the replica recorded it.</summary>
/// <param name="Source">The peer whose state this row's state equals, when a merge took that state whole (the feed does not send it back there).</param>
/// <param name="LatestChange">"local update" (a write here later than every clock the row held) or "merge" (of a peer's state); null when not recorded.</param>
/// <param name="From">For a merge: the peer whose state was merged.</param>
internal sealed record RowOrigin(Guid? Source, string? LatestChange, Guid? From);

/// <summary>A column's register.</summary>
/// <param name="Name">The column.</param>
/// <param name="Value">Its value as canonical JSON, as this database holds it; null when the row has none loaded (a data row gone).</param>
/// <param name="Written">The clock of the write that set it.</param>
/// <param name="Prior">The clock of the write it replaced where it was written (what its writer saw); null for a write over none (an insert).</param>
/// <param name="Kept">Whether the value is kept in the metadata row rather than read from the data row.</param>
internal sealed record ColumnReport(string Name, string? Value, ClockReport Written, ClockReport? Prior, bool Kept);
