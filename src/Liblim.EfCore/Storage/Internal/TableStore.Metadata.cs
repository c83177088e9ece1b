using System.Data.Common;
using System.Text;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>The metadata a replicated table keeps in its shown rows (<see cref="InRowClocks"/>): read by key or by feed position, and written.</summary>
internal sealed partial class TableStore
{
    /// <summary>A data row's metadata as its table holds it; with the row's model values (keys, then values) when they were asked for.</summary>
    public readonly record struct RowMetadata(long Seq, string Clocks, object?[]? Row);

    /// <summary>
    /// The metadata kept in the data rows of the given keys, by key text; rows whose metadata is in <c>__liblim_rows</c>,
    /// and keys not in the table, are left out.
    /// </summary>
    /// <param name="keys">The key texts.</param>
    /// <param name="keyValues">The key values of a key text.</param>
    /// <param name="withValues">Whether to read each row's values too.</param>
    /// <param name="async">Whether to run the database work asynchronously.</param>
    /// <param name="ct">Cancels it.</param>
    public async Task<Dictionary<string, RowMetadata>> ReadMetadataAsync(IReadOnlyCollection<string> keys, Func<string, object?[]> keyValues, bool withValues,
        bool async, CancellationToken ct)
    {
        var result = new Dictionary<string, RowMetadata>(keys.Count, StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return result;
        }

        var select = withValues ? table.AllColumns : table.KeyColumns;
        var seq = session.Column(table.SeqColumn);
        await SelectWhereAsync(select, $", {seq}, {session.Column(table.ClocksColumn)}", table.KeyColumns, [.. keys.Select(keyValues)], reader =>
        {
            var values = ReadValues(reader, select.Count);
            result[table.EncodeKey(values.AsSpan(0, table.KeyColumns.Count))] = new RowMetadata(reader.GetInt64(select.Count), reader.GetString(select.Count + 1), withValues ? values : null);
        }, async, ct, and: $"{seq} IS NOT NULL").ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// The feed positions and stored clocks of the rows changed after <paramref name="since"/> (and not after
    /// <paramref name="through"/>, when given), at most <paramref name="limit"/>, in order: by the position's index, and
    /// without the rows' values.
    /// </summary>
    public async Task<List<(long Seq, string Clocks)>> ReadChangedPositionsAsync(long since, long? through, int limit, bool async, CancellationToken ct)
    {
        var seq = session.Column(table.SeqColumn);
        using var command = session.CreateCommand("");
        command.CommandText = $"SELECT {seq}, {session.Column(table.ClocksColumn)} FROM {session.Table(table)} WHERE {StoreSession.FeedStretch(command, seq, since, through, limit)}";
        var positions = new List<(long, string)>();
        await ReadEachAsync(command, reader => positions.Add((reader.GetInt64(0), reader.GetString(1))), async, ct).ConfigureAwait(false);
        return positions;
    }

    /// <summary>The rows changed after <paramref name="since"/> and not after <paramref name="through"/>, with their metadata and values, by key text.</summary>
    public async Task<List<(string Key, RowMetadata Metadata)>> ReadChangedAsync(long since, long through, bool async, CancellationToken ct)
    {
        var all = table.AllColumns;
        var seq = session.Column(table.SeqColumn);
        using var command = session.CreateCommand("");
        command.CommandText = $"SELECT {string.Join(", ", all.Select(c => session.Column(c.Name)))}, {seq}, {session.Column(table.ClocksColumn)} " +
                              $"FROM {session.Table(table)} WHERE {StoreSession.FeedStretch(command, seq, since, through, limit: null)}";
        var rows = new List<(string, RowMetadata)>();
        await ReadEachAsync(command, reader =>
        {
            var values = ReadValues(reader, all.Count);
            rows.Add((table.EncodeKey(values.AsSpan(0, table.KeyColumns.Count)), new RowMetadata(reader.GetInt64(all.Count), reader.GetString(all.Count + 1), values)));
        }, async, ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>
    /// Writes the metadata of data rows: a position and stored clocks, or nulls to take it out of the row. Returns the keys
    /// of the rows written; a key not in the table is left out.
    /// </summary>
    public async Task<HashSet<string>> WriteMetadataAsync(IReadOnlyList<(string Key, long? Seq, string? Clocks)> rows, bool async, CancellationToken ct)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        if (rows.Count == 0)
        {
            return written;
        }

        var keys = table.KeyColumns;
        var seq = session.Column(table.SeqColumn);
        var clocks = session.Column(table.ClocksColumn);
        if (session.Dialect.WritesRowAtATime)
        {
            using var statement = session.CreateRowCommand("");
            StoreSession.AddParameter(statement.Command, "@s", null);
            StoreSession.AddParameter(statement.Command, "@c", null);
            var first = table.DecodeKey(rows[0].Key);
            statement.Command.CommandText = $"UPDATE {session.Table(table)} SET {seq} = @s, {clocks} = @c WHERE {Predicate(statement.Command, keys, [first], "k")}";
            foreach (var (key, s, c) in rows)
            {
                var values = table.DecodeKey(key);
                statement.Parameters[0].Value = s ?? (object)DBNull.Value;
                statement.Parameters[1].Value = c ?? (object)DBNull.Value;
                for (var i = 0; i < keys.Count; i++)
                {
                    keys[i].SetParameterValue(statement.Parameters[2 + i], values[i]);
                }

                if (await statement.ExecuteAsync(async, ct).ConfigureAwait(false) > 0)
                {
                    written.Add(key);
                }
            }

            return written;
        }

        // One statement per chunk: the new values as a VALUES list joined to the table by key, the rows written returned.
        foreach (var chunk in rows.Chunk(Math.Max(1, session.Dialect.MaxParameters / (keys.Count + 2))))
        {
            using var command = session.CreateCommand("");
            var values = new StringBuilder();
            for (var r = 0; r < chunk.Length; r++)
            {
                var (key, s, c) = chunk[r];
                var keyValues = table.DecodeKey(key);
                values.Append(r == 0 ? "(" : ", (");
                for (var i = 0; i < keys.Count; i++)
                {
                    command.Parameters.Add(keys[i].CreateParameter(command, $"@k{r}_{i}", keyValues[i]));
                    values.Append($"@k{r}_{i}, ");
                }

                StoreSession.AddParameter(command, $"@s{r}", s);
                StoreSession.AddParameter(command, $"@c{r}", c);
                values.Append($"CAST(@s{r} AS bigint), CAST(@c{r} AS text))");
            }

            var names = string.Join(", ", keys.Select((_, i) => $"k{i}"));
            var target = session.Table(table);
            command.CommandText = $"UPDATE {target} SET {seq} = v.s, {clocks} = v.c FROM (VALUES {values}) AS v({names}, s, c) " +
                                  $"WHERE {string.Join(" AND ", keys.Select((k, i) => $"{target}.{session.Column(k.Name)} = v.k{i}"))} " +
                                  $"RETURNING {string.Join(", ", keys.Select(k => $"{target}.{session.Column(k.Name)}"))}";
            await ReadEachAsync(command, reader => written.Add(table.EncodeKey(ReadValues(reader, keys.Count).AsSpan(0, keys.Count))), async, ct).ConfigureAwait(false);
        }

        return written;
    }
}
