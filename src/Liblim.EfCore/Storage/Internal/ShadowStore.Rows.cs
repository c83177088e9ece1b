namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Where a row's metadata is: in its data row while the row is shown as it is (<see cref="InRowClocks.Fits"/>), else in
/// <c>__liblim_rows</c>. Reads look in both places; a write puts each row in its place and takes it out of the other
/// (<see cref="MetadataPlaces"/>).
/// </summary>
internal sealed partial class ShadowStore
{
    /// <summary>The metadata rows of the given keys of a table that exist, by key.</summary>
    /// <param name="table">The replicated table's name.</param>
    /// <param name="keys">The key texts.</param>
    /// <param name="async">Whether to run the database work asynchronously.</param>
    /// <param name="ct">Cancels it.</param>
    /// <param name="values">
    /// When given, receives the data rows (model values) of the rows whose metadata is in them, read with it: the caller
    /// need not read those again.
    /// </param>
    /// <param name="keyValues">The key values of a key text, when already parsed; else they are decoded.</param>
    /// <param name="notInTable">
    /// The keys known to have no data row (rows a SaveChanges inserts: EF would refuse a second one), whose metadata can
    /// only be in <c>__liblim_rows</c>; null when none is known.
    /// </param>
    public async Task<Dictionary<string, ShadowRow>> ReadRowsAsync(string table, IReadOnlyCollection<string> keys, bool async, CancellationToken ct,
        Dictionary<string, object?[]>? values = null, Func<string, object?[]>? keyValues = null, IReadOnlySet<string>? notInTable = null)
    {
        var result = new Dictionary<string, ShadowRow>(keys.Count, StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return result;
        }

        var rest = keys;
        var inTable = notInTable is null ? keys : [.. keys.Where(k => !notInTable.Contains(k))];
        if (session.Model.FindTable(table) is { } replicated && inTable.Count > 0)
        {
            var inRow = await session.Rows(replicated).ReadMetadataAsync(inTable, keyValues ?? replicated.DecodeKey, values is not null, async, ct).ConfigureAwait(false);
            if (inRow.Count > 0)
            {
                await ReadNodeNumbersAsync(inRow.Values.SelectMany(m => InRowClocks.NumbersOf(m.Clocks)), async, ct).ConfigureAwait(false);
                foreach (var (key, metadata) in inRow)
                {
                    result[key] = InRowClocks.Expand(table, key, metadata.Seq, metadata.Clocks, session.Nodes);
                    session.Places.InRow(table, key);
                    if (values is not null)
                    {
                        values[key] = metadata.Row!;
                    }
                }

                rest = [.. keys.Where(k => !inRow.ContainsKey(k))];
            }
        }

        foreach (var (key, row) in await ReadSeparateAsync(table, rest, async, ct).ConfigureAwait(false))
        {
            result[key] = row;
        }

        return result;
    }

    /// <summary>The states of the given keys of a table that are stored here, with their metadata rows, values loaded.</summary>
    public async Task<Dictionary<string, (ShadowRow Row, Crdt.RowState State)>> ReadStatesAsync(
        Metadata.Internal.ReplicatedTable table, IReadOnlyCollection<string> keys, bool async, CancellationToken ct)
    {
        var values = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        var stored = await ReadRowsAsync(table.Name, keys, async, ct, values).ConfigureAwait(false);
        var unread = stored.Values.Where(r => r.IsShown && !values.ContainsKey(r.Key)).Select(r => r.Key).ToList();
        foreach (var (key, data) in unread.Count == 0 ? [] : await session.Rows(table).ReadAsync(unread, async, ct).ConfigureAwait(false))
        {
            values[key] = data;
        }

        return stored.ToDictionary(p => p.Key, p => (p.Value, RowStateCodec.Decode(table, p.Value, values.GetValueOrDefault(p.Key))), StringComparer.Ordinal);
    }

    /// <summary>
    /// A page of the change feed for a peer: the metadata rows changed after sequence number <paramref name="since"/>
    /// (and not after <paramref name="through"/>, when given), at most <paramref name="limit"/> positions of them, in
    /// sequence order, each with its data row when its metadata is kept there (read with it), else null; and the last
    /// position of the page. Rows whose state was taken whole from <paramref name="peer"/> (32 hex digits) are left out
    /// (the peer has them), and their values are not read. Where <paramref name="only"/> gives a table's keys, only those of
    /// its rows in the page are read (a scoped peer's first sync: the rows its rule shows, chosen by a query).
    /// </summary>
    public async Task<(List<(ShadowRow Row, object?[]? Data)> Rows, long Last)> ReadFeedAsync(long since, long? through, int limit, string peer, bool async, CancellationToken ct,
        Func<Metadata.Internal.ReplicatedTable, long, Task<IReadOnlyCollection<string>?>>? only = null)
    {
        // Each place's first positions after since, by its index; the page ends at the limit-th of them all.
        var separate = await ReadSeparateFeedAsync(since, through, limit, async, ct).ConfigureAwait(false);
        var positions = separate.Select(r => r.Seq).ToList();
        var changedTables = new List<(Metadata.Internal.ReplicatedTable Table, List<(long Seq, string Clocks)> Changed)>();
        foreach (var table in session.Model.Tables)
        {
            var changed = await session.Rows(table).ReadChangedPositionsAsync(since, through, limit, async, ct).ConfigureAwait(false);
            if (changed.Count > 0)
            {
                positions.AddRange(changed.Select(c => c.Seq));
                changedTables.Add((table, changed));
            }
        }

        if (positions.Count == 0)
        {
            return ([], since);
        }

        positions.Sort();
        var end = positions[Math.Min(limit, positions.Count) - 1];
        int? peerNumber = null;
        if (changedTables.Count > 0)
        {
            await ReadNodesAsync(async, ct).ConfigureAwait(false);
            peerNumber = session.Nodes.Contains(peer) ? session.Nodes.NumberOf(peer) : null;
        }

        var page = separate.Where(r => r.Seq <= end && r.Source != peer).Select(r => (r, (object?[]?)null)).ToList();
        foreach (var (table, changed) in changedTables)
        {
            // Values are read only where some row of the page is to be sent: a page the peer sent whole reads none.
            if (!changed.Any(c => c.Seq <= end && (peerNumber is null || InRowClocks.SourceOf(c.Clocks) != peerNumber)))
            {
                continue;
            }

            var rows = only is not null && await only(table, end).ConfigureAwait(false) is { } keys
                ? [.. (await session.Rows(table).ReadMetadataAsync(keys, table.DecodeKey, withValues: true, async, ct).ConfigureAwait(false))
                    .Where(r => r.Value.Seq > since && r.Value.Seq <= end)
                    .Select(r => (r.Key, r.Value))]
                : await session.Rows(table).ReadChangedAsync(since, end, async, ct).ConfigureAwait(false);
            page.AddRange(rows
                .Where(r => peerNumber is null || InRowClocks.SourceOf(r.Metadata.Clocks) != peerNumber)
                .Select(r => (InRowClocks.Expand(table.Name, r.Key, r.Metadata.Seq, r.Metadata.Clocks, session.Nodes), r.Metadata.Row)));
        }

        page.Sort((a, b) => a.Item1.Seq.CompareTo(b.Item1.Seq));
        return (page, end);
    }

    /// <summary>
    /// The stored clocks of rows that fit in their data rows (<see cref="InRowClocks.Fits"/>), for a writer of those data rows
    /// to store with them; numbers the nodes they name first. The caller holds the state row's lock.
    /// </summary>
    public async Task<List<string>> InRowClocksAsync(IReadOnlyList<ShadowRow> rows, bool async, CancellationToken ct)
    {
        await NumberNodesOfAsync(rows, async, ct).ConfigureAwait(false);
        return [.. rows.Select(r => InRowClocks.Compact(r, session.Nodes))];
    }

    /// <summary>
    /// Stores metadata rows, each in its place, taking it out of the other. The caller holds the state row's lock
    /// (<see cref="LockAsync"/>): node ids the rows name for the first time are numbered here. A row that would be kept in
    /// its data row goes to <c>__liblim_rows</c> when that row is not in its table (removed behind Liblim's back).
    /// </summary>
    /// <param name="rows">The metadata rows.</param>
    /// <param name="writtenWithData">
    /// The rows (table and key) whose data row was just written with its metadata columns (<see cref="InRowClocksAsync"/>,
    /// or nulls for a row whose metadata is aside): those are not written again.
    /// </param>
    /// <param name="async">Whether to run the database work asynchronously.</param>
    /// <param name="ct">Cancels it.</param>
    public async Task WriteRowsAsync(IReadOnlyList<ShadowRow> rows, IReadOnlySet<(string Table, string Key)> writtenWithData, bool async, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        // Rows whose clocks were written with their data were numbered then (InRowClocksAsync).
        await NumberNodesOfAsync([.. rows.Where(r => !(InRowClocks.Fits(r) && writtenWithData.Contains((r.Table, r.Key))))], async, ct).ConfigureAwait(false);
        var separate = rows.Where(r => !InRowClocks.Fits(r)).ToList();
        foreach (var byTable in rows.Where(InRowClocks.Fits).GroupBy(r => r.Table))
        {
            if (session.Model.FindTable(byTable.Key) is not { } table)
            {
                separate.AddRange(byTable);
                continue;
            }

            var written = await session.Rows(table).WriteMetadataAsync(
                [.. byTable.Where(r => !writtenWithData.Contains((r.Table, r.Key))).Select(r => (r.Key, (long?)r.Seq, (string?)InRowClocks.Compact(r, session.Nodes)))],
                async, ct).ConfigureAwait(false);
            written.UnionWith(byTable.Where(r => writtenWithData.Contains((r.Table, r.Key))).Select(r => r.Key));
            var moved = new List<string>();
            foreach (var row in byTable)
            {
                if (!written.Contains(row.Key))
                {
                    separate.Add(row);
                    continue;
                }

                if (session.Places.IsSeparate(table.Name, row.Key))
                {
                    moved.Add(row.Key);
                }

                session.Places.InRow(table.Name, row.Key);
            }

            await DeleteSeparateAsync(table.Name, moved, async, ct).ConfigureAwait(false);
        }

        // A row that stays in its table but leaves the metadata there (shown with a projected reference now) takes it out.
        foreach (var byTable in separate.Where(r => r.IsShown && session.Places.IsInRow(r.Table, r.Key) && !writtenWithData.Contains((r.Table, r.Key))).GroupBy(r => r.Table))
        {
            var table = session.Model.FindTable(byTable.Key)!;
            await session.Rows(table).WriteMetadataAsync([.. byTable.Select(r => (r.Key, (long?)null, (string?)null))], async, ct).ConfigureAwait(false);
        }

        await WriteSeparateAsync(separate, async, ct).ConfigureAwait(false);
    }

    /// <summary>Makes sure every node the rows name has a number, reading the known ones first (so that rows naming them are not looked at twice).</summary>
    private async Task NumberNodesOfAsync(IReadOnlyList<ShadowRow> rows, bool async, CancellationToken ct)
    {
        if (session.Nodes.Count == 0)
        {
            await ReadNodesAsync(async, ct).ConfigureAwait(false);
        }

        await NumberNodesAsync(CompactShadowRow.Unnumbered(rows, session.Nodes), async, ct).ConfigureAwait(false);
    }
}
