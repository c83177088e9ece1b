using Liblim.EfCore.Cli.Inspection;

namespace Liblim.EfCore.Cli.Reports;

/// <summary>
/// An entry of a replica's conflict journal (<c>__liblim_conflicts</c>): a column a merge here decided between two
/// concurrent writes, the value kept and the value lost, each with the write that set it (docs/semantics.md, "Conflicts").
/// </summary>
/// <param name="Id">The entry's number in this database's journal: later entries have greater numbers.</param>
/// <param name="Table">The replicated table.</param>
/// <param name="Key">The row's canonical key text.</param>
/// <param name="Column">The column decided.</param>
/// <param name="Kept">The value the row keeps (canonical JSON): the later write; null when the row's delete won (the lost write was an edit the delete had not seen).</param>
/// <param name="KeptWritten">The clock of the write that set it: when, and by which node; null when the row's delete won.</param>
/// <param name="Lost">The value that lost.</param>
/// <param name="LostWritten">The clock of the write that set it.</param>
/// <param name="DecidedAt">When this replica decided it.</param>
internal sealed record ConflictReport(long Id, string Table, string Key, string Column, string? Kept, ClockReport? KeptWritten, string Lost, ClockReport LostWritten,
    DateTimeOffset DecidedAt)
{
    /// <summary>
    /// The journal's entries, newest first: of a table and a key (as given on the command line) when given, decided at or
    /// after <paramref name="since"/> when given, at most <paramref name="limit"/>; and how many entries match in all.
    /// </summary>
    public static Task<(List<ConflictReport> Entries, int Total)> ReadAsync(InspectedReplica replica, string? tableName, string? keyText, DateTimeOffset? since,
        int limit, CancellationToken ct) => replica.ReadAsync(async session =>
    {
        var table = tableName is null ? null : replica.Table(session, tableName);
        if (keyText is not null && table is null)
        {
            throw new CliException("--key needs --table: the table whose row it is");
        }

        var key = keyText is null ? null : KeyArgument.Parse(table!, keyText);
        var state = await ReplicaStateRow.ReadAsync(session, ct).ConfigureAwait(false);
        var peers = await session.Shadow.ReadPeersAsync(async: true, ct).ConfigureAwait(false);
        var labels = new NodeLabels(state?.NodeId, peers.Select(p => (p.Peer, p.Address)));
        var entries = await session.Shadow.ReadConflictsAsync(table?.Name, key, since, until: null, skip: 0, take: limit, async: true, ct).ConfigureAwait(false);
        var total = table is null && since is null
            ? await session.Shadow.CountConflictsAsync(async: true, ct).ConfigureAwait(false)
            : (await session.Shadow.ReadConflictsAsync(table?.Name, key, since, until: null, skip: 0, take: int.MaxValue, async: true, ct).ConfigureAwait(false)).Count;
        return (entries.Select(e => new ConflictReport(e.Id, e.Table, e.Key, e.Conflict.Column,
            e.Conflict.Winner?.Json, e.Conflict.Winner is { } winner ? ClockReport.Of(winner.Clock, labels) : null,
            e.Conflict.Loser.Json!, ClockReport.Of(e.Conflict.Loser.Clock, labels),
            e.DecidedAt)).ToList(), total);
    }, ct);
}
