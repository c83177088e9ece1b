using System.Data.Common;
using System.Text;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Reads and writes the data rows of a replicated table with set-based SQL, converting values with EF's type
/// mappings. Used by merge, which must not go through the change tracker (that would record an echo).
/// </summary>
internal sealed class TableStore(StoreSession session, ReplicatedTable table)
{
    /// <summary>The model values (all columns: keys, then values) of the rows with the given keys that exist, by key text.</summary>
    public async Task<Dictionary<string, object?[]>> ReadAsync(IReadOnlyCollection<string> keys, bool async, CancellationToken ct)
    {
        var result = new Dictionary<string, object?[]>(keys.Count, StringComparer.Ordinal);
        var columns = table.AllColumns;
        var select = $"SELECT {string.Join(", ", columns.Select(c => session.Column(c.Name)))} FROM {session.Table(table)} WHERE ";
        var keyCount = table.KeyColumns.Count;
        foreach (var chunk in keys.Chunk(Math.Max(1, session.Dialect.MaxParameters / keyCount)))
        {
            using var command = session.CreateCommand("");
            command.CommandText = select + KeyPredicate(command, chunk.Select(table.DecodeKey).ToList());
            using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
            while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
            {
                var values = new object?[columns.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = columns[i].Read(reader, i);
                }

                result[table.EncodeKey(values.AsSpan(0, keyCount))] = values;
            }
        }

        return result;
    }

    /// <summary>Inserts rows (model values of all columns: keys, then values).</summary>
    public async Task InsertAsync(IReadOnlyList<object?[]> rows, bool async, CancellationToken ct)
    {
        var columns = table.AllColumns;
        var head = $"INSERT INTO {session.Table(table)} ({string.Join(", ", columns.Select(c => session.Column(c.Name)))}) VALUES ";
        foreach (var chunk in rows.Chunk(Math.Max(1, session.Dialect.MaxParameters / columns.Count)))
        {
            using var command = session.CreateCommand("");
            var sql = new StringBuilder(head);
            for (var r = 0; r < chunk.Length; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = $"@p{r}_{c}";
                    sql.Append(c == 0 ? name : ", " + name);
                    command.Parameters.Add(columns[c].CreateParameter(command, name, chunk[r][c]));
                }

                sql.Append(')');
            }

            command.CommandText = sql.ToString();
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Updates every value column of existing rows (model values of all columns: keys, then values).</summary>
    public async Task UpdateAsync(IReadOnlyList<object?[]> rows, bool async, CancellationToken ct)
    {
        if (rows.Count == 0 || table.ValueColumns.Count == 0)
        {
            return;
        }

        var keys = table.KeyColumns;
        var values = table.ValueColumns;
        using var command = session.CreateCommand(
            $"UPDATE {session.Table(table)} SET {string.Join(", ", values.Select((c, i) => $"{session.Column(c.Name)} = @v{i}"))} " +
            $"WHERE {string.Join(" AND ", keys.Select((c, i) => $"{session.Column(c.Name)} = @k{i}"))}");
        foreach (var row in rows)
        {
            command.Parameters.Clear();
            for (var i = 0; i < keys.Count; i++)
            {
                command.Parameters.Add(keys[i].CreateParameter(command, $"@k{i}", row[i]));
            }

            for (var i = 0; i < values.Count; i++)
            {
                command.Parameters.Add(values[i].CreateParameter(command, $"@v{i}", row[keys.Count + i]));
            }

            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the rows with the given keys.</summary>
    public async Task DeleteAsync(IReadOnlyCollection<string> keys, bool async, CancellationToken ct)
    {
        foreach (var chunk in keys.Chunk(Math.Max(1, session.Dialect.MaxParameters / table.KeyColumns.Count)))
        {
            using var command = session.CreateCommand("");
            command.CommandText = $"DELETE FROM {session.Table(table)} WHERE " + KeyPredicate(command, chunk.Select(table.DecodeKey).ToList());
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }
    }

    private string KeyPredicate(DbCommand command, IReadOnlyList<object?[]> keys)
    {
        var sql = new StringBuilder();
        var keyColumns = table.KeyColumns;
        if (keyColumns.Count == 1)
        {
            sql.Append(session.Column(keyColumns[0].Name)).Append(" IN (");
            for (var i = 0; i < keys.Count; i++)
            {
                sql.Append(i == 0 ? "@k0" : $", @k{i}");
                command.Parameters.Add(keyColumns[0].CreateParameter(command, $"@k{i}", keys[i][0]));
            }

            return sql.Append(')').ToString();
        }

        for (var i = 0; i < keys.Count; i++)
        {
            sql.Append(i == 0 ? "(" : " OR (");
            for (var c = 0; c < keyColumns.Count; c++)
            {
                var name = $"@k{i}_{c}";
                sql.Append(c == 0 ? "" : " AND ").Append(session.Column(keyColumns[c].Name)).Append(" = ").Append(name);
                command.Parameters.Add(keyColumns[c].CreateParameter(command, name, keys[i][c]));
            }

            sql.Append(')');
        }

        return sql.ToString();
    }
}
