namespace Liblim.EfCore.Storage.Internal;

/// <summary>Adopting the rows a replicated table holds without metadata (<c>Writes/RowAdoption</c>).</summary>
internal sealed partial class TableStore
{
    /// <summary>
    /// The keys of the rows that have no metadata in their row: rows stored around Liblim, and rows whose metadata is in
    /// <c>__liblim_rows</c>.
    /// </summary>
    public async Task<List<object?[]>> ReadKeysWithoutMetadataAsync(bool async, CancellationToken ct)
    {
        var keys = table.KeyColumns;
        using var command = session.CreateCommand(
            $"SELECT {string.Join(", ", keys.Select(k => session.Column(k.Name)))} FROM {session.Table(table)} WHERE {session.Column(table.SeqColumn)} IS NULL");
        var result = new List<object?[]>();
        await ReadEachAsync(command, reader => result.Add(ReadValues(reader, keys.Count)), async, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>Whether some row has no metadata in its row (see <see cref="ReadKeysWithoutMetadataAsync"/>); one look at the position's index.</summary>
    public async Task<bool> HasRowsWithoutMetadataAsync(bool async, CancellationToken ct)
    {
        using var command = session.CreateCommand(
            $"SELECT 1 FROM {session.Table(table)} WHERE {session.Column(table.SeqColumn)} IS NULL LIMIT 1");
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        return await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Adopts, in one statement, the rows without metadata (of the given keys only, when <paramref name="only"/> is given):
    /// each gets the next feed position after <paramref name="after"/>, in key order (drawn from the feed sequence where
    /// there is one, in no particular order), and as its clocks one stored
    /// timestamp whose ticks are the hash of its values (<see cref="SqlDialect.ContentHash"/>) and whose node is the one
    /// numbered by <paramref name="nodeSuffix"/> (<c>.</c> and the number). Returns the number of rows adopted.
    /// </summary>
    public async Task<int> AdoptAsync(long after, string nodeSuffix, IReadOnlyList<object?[]>? only, bool async, CancellationToken ct)
    {
        var dialect = session.Dialect;
        var target = session.Table(table);
        var seq = session.Column(table.SeqColumn);
        var keys = table.KeyColumns.Select(k => session.Column(k.Name)).ToList();
        var keyList = string.Join(", ", keys);
        using var command = session.CreateCommand("");
        dialect.PrepareContentHash(command.Connection!);
        var where = only is null ? $"{seq} IS NULL" : $"{seq} IS NULL AND ({Predicate(command, table.KeyColumns, only, "k")})";
        command.CommandText =
            $"UPDATE {target} SET {seq} = {(session.Model.Shadow.FeedSequence is null ? "@after + s.__liblim_rn" : session.Shadow.NextPositionSql())}, {session.Column(table.ClocksColumn)} = {dialect.LowercaseHex("s.__liblim_hash")} || @node " +
            $"FROM (SELECT {keyList}, row_number() OVER (ORDER BY {keyList}) AS __liblim_rn, " +
            $"{dialect.ContentHash([.. table.AllColumns.Select(c => session.Column(c.Name))])} AS __liblim_hash FROM {target} WHERE {where}) AS s " +
            $"WHERE {string.Join(" AND ", keys.Select(k => $"{target}.{k} = s.{k}"))}";
        StoreSession.AddParameter(command, "@after", after);
        StoreSession.AddParameter(command, "@node", nodeSuffix);
        return await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
    }
}
