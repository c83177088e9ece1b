using System.Globalization;
using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Cli.Reports;

/// <summary>Where a replica stands: its node id, its feed, what it has collected, and what its tables hold.</summary>
/// <param name="Database">The database, as named in output.</param>
/// <param name="NodeId">The node id stored in the database (null before its first replicated write or sync).</param>
/// <param name="RetiredNodeId">A configured node id a restore retired (docs/semantics.md, "Restored and copied databases"); null when none.</param>
/// <param name="Head">The last position of its change feed.</param>
/// <param name="Collected">The greatest position of a deleted row collected here (0 when none).</param>
/// <param name="Clock">The last timestamp issued or received here, as a time (null before any).</param>
/// <param name="Tables">Per replicated table: rows in the table, rows held back, deleted rows kept.</param>
/// <param name="Peers">How many peers it has synced with or served.</param>
/// <param name="Conflicts">How many entries its conflict journal holds (<c>liblim conflicts</c> lists them).</param>
internal sealed record ReplicaStatus(string Database, Guid? NodeId, Guid? RetiredNodeId, long Head, long Collected, DateTimeOffset? Clock,
    IReadOnlyList<TableStatus> Tables, int Peers, int Conflicts)
{
    public long Rows => Tables.Sum(t => t.Rows);

    public long HeldBack => Tables.Sum(t => t.HeldBack);

    public long Deleted => Tables.Sum(t => t.Deleted);

    /// <summary>Reads the status in one snapshot.</summary>
    public static Task<ReplicaStatus> ReadAsync(InspectedReplica replica, CancellationToken ct) => replica.ReadAsync(async session =>
    {
        var shadow = session.Shadow;
        var state = await ReplicaStateRow.ReadAsync(session, ct).ConfigureAwait(false);
        var head = await shadow.ReadHeadAsync(async: true, ct).ConfigureAwait(false);
        var collected = await shadow.ReadCollectedSeqAsync(async: true, ct).ConfigureAwait(false);
        var peers = (await shadow.ReadPeersAsync(async: true, ct).ConfigureAwait(false)).Count;
        var conflicts = await shadow.CountConflictsAsync(async: true, ct).ConfigureAwait(false);

        // Held back as the library counts it (LiblimFacade.GetStatusAsync): live, not shown, for a reason the app can resolve.
        var held = (await shadow.ReadHeldAsync(null, async: true, ct).ConfigureAwait(false))
            .Where(r => r.IsHeldBack).GroupBy(r => r.Table).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        var deleted = await CountDeletedAsync(session, ct).ConfigureAwait(false);
        var tables = new List<TableStatus>();
        foreach (var table in session.Model.Tables)
        {
            tables.Add(new TableStatus(table.Name, await CountAsync(session, $"SELECT COUNT(*) FROM {session.Table(table)}", ct).ConfigureAwait(false),
                held.GetValueOrDefault(table.Name), deleted.GetValueOrDefault(table.Name)));
        }

        // Tables only kept in __liblim_rows (another model version's) are listed too, with what is kept of them.
        foreach (var name in held.Keys.Concat(deleted.Keys).Distinct().Where(n => session.Model.FindTable(n) is null))
        {
            tables.Add(new TableStatus(name, 0, held.GetValueOrDefault(name), deleted.GetValueOrDefault(name)));
        }

        return new ReplicaStatus(replica.Address.Display, state?.NodeId, state?.RetiredNodeId, head, collected, state?.Clock,
            [.. tables.OrderBy(t => t.Table, StringComparer.Ordinal)], peers, conflicts);
    }, ct);

    /// <summary>The deleted rows kept per table: metadata rows without a live add tag (<see cref="ShadowRow.IsAlive"/>).</summary>
    private static async Task<Dictionary<string, long>> CountDeletedAsync(StoreSession session, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {session.Column(n.RowTableName)}, COUNT(*) FROM {session.Table(n.RowsTable)} WHERE {session.Column(n.RowAddTags)} IS NULL " +
            $"GROUP BY {session.Column(n.RowTableName)}");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = await StoreSession.ReadAsync(command, async: true, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            counts[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        return counts;
    }

    private static async Task<long> CountAsync(StoreSession session, string sql, CancellationToken ct)
    {
        using var command = session.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}

/// <summary>What a replicated table holds.</summary>
/// <param name="Table">The table's replica name.</param>
/// <param name="Rows">The rows the table shows.</param>
/// <param name="HeldBack">Rows that exist but are held back (kept in <c>__liblim_rows</c>).</param>
/// <param name="Deleted">Deleted rows whose tombstones and values are kept until every peer has applied the delete.</param>
internal sealed record TableStatus(string Table, long Rows, long HeldBack, long Deleted);
