using System.Data.Common;
using System.Text;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Reads and writes the data rows of a replicated table with set-based SQL, converting values with EF's type
/// mappings. Used by merge, which must not go through the change tracker (that would record an echo). Rows are
/// model values of all columns: keys, then values (<see cref="ReplicatedTable.AllColumns"/>).
/// </summary>
internal sealed partial class TableStore(StoreSession session, ReplicatedTable table)
{
    public ReplicatedTable Table => table;

    /// <summary>The rows with the given keys that exist, by key text.</summary>
    public Task<Dictionary<string, object?[]>> ReadAsync(IReadOnlyCollection<string> keys, bool async, CancellationToken ct)
        => ReadAsync(keys, table.DecodeKey, async, ct);

    /// <summary>The rows with the given keys that exist, by key text; <paramref name="keyValues"/> gives the values of a key text.</summary>
    public Task<Dictionary<string, object?[]>> ReadAsync(IReadOnlyCollection<string> keys, Func<string, object?[]> keyValues, bool async, CancellationToken ct)
        => ReadWhereAsync(table.KeyColumns, [.. keys.Select(keyValues)], async, ct);

    /// <summary>The rows whose <paramref name="columns"/> hold one of the given tuples of model values, by key text.</summary>
    public async Task<Dictionary<string, object?[]>> ReadWhereAsync(IReadOnlyList<ReplicatedColumn> columns, IReadOnlyList<object?[]> tuples, bool async, CancellationToken ct)
    {
        var result = new Dictionary<string, object?[]>(tuples.Count, StringComparer.Ordinal);
        var all = table.AllColumns;
        await SelectWhereAsync(all, "", columns, tuples, reader =>
        {
            var values = ReadValues(reader, all.Count);
            result[table.EncodeKey(values.AsSpan(0, table.KeyColumns.Count))] = values;
        }, async, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Runs <c>SELECT</c> of the given columns (then <paramref name="more"/>, already quoted, if any) of the rows whose
    /// <paramref name="columns"/> hold one of the tuples (and that meet <paramref name="and"/>, if given), calling
    /// <paramref name="row"/> for each: in one statement where the database reads a list of values as one parameter,
    /// else in chunks of as many tuples as a statement's parameters allow.
    /// </summary>
    private async Task SelectWhereAsync(IReadOnlyList<ReplicatedColumn> select, string more, IReadOnlyList<ReplicatedColumn> columns, IReadOnlyList<object?[]> tuples,
        Action<DbDataReader> row, bool async, CancellationToken ct, string? and = null)
    {
        var text = $"SELECT {string.Join(", ", select.Select(c => session.Column(c.Name)))}{more} FROM {session.Table(table)} WHERE ";
        var suffix = (and is null ? "" : $" AND {and}") + session.Shadow.LockRowsRead(string.Join(", ", table.KeyColumns.Select(k => session.Column(k.Name))));
        if (JsonList(columns, tuples) is { } list)
        {
            using var command = session.CreateCommand(text + session.Dialect.InTextList(session.Column(columns[0].Name), "@k") + suffix);
            StoreSession.AddParameter(command, "@k", list);
            await ReadEachAsync(command, row, async, ct).ConfigureAwait(false);
            return;
        }

        foreach (var chunk in tuples.Chunk(Math.Max(1, session.Dialect.MaxParameters / columns.Count)))
        {
            using var command = session.CreateCommand("");
            command.CommandText = text + "(" + Predicate(command, columns, chunk, "k") + ")" + suffix;
            await ReadEachAsync(command, row, async, ct).ConfigureAwait(false);
        }
    }

    private static async Task ReadEachAsync(DbCommand command, Action<DbDataReader> row, bool async, CancellationToken ct)
    {
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
        {
            row(reader);
        }
    }

    /// <summary>The model values of the first <paramref name="count"/> columns of <see cref="ReplicatedTable.AllColumns"/>, as a reader has them first.</summary>
    private object?[] ReadValues(DbDataReader reader, int count)
    {
        var all = table.AllColumns;
        var values = new object?[all.Count];
        for (var i = 0; i < count; i++)
        {
            values[i] = all[i].Read(reader, i);
        }

        return values;
    }

    /// <summary>The values of a single column as one list parameter, where the database reads such lists faster; else null.</summary>
    private string? JsonList(IReadOnlyList<ReplicatedColumn> columns, IReadOnlyList<object?[]> tuples)
    {
        if (columns.Count != 1)
        {
            return null;
        }

        using var scratch = session.CreateCommand("");
        return session.Dialect.ValueList(columns[0], tuples.Select(t => t[0]), scratch);
    }

    /// <summary>Inserts rows, each with its metadata (<see cref="RowWrite"/>).</summary>
    public async Task InsertAsync(IReadOnlyList<RowWrite> rows, bool async, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (session.Dialect.WritesRowAtATime)
        {
            await EachRowAsync(rows, command => Insert(command, [rows[0]], "p"), [.. table.AllColumns, null, null], async, ct).ConfigureAwait(false);
            return;
        }

        foreach (var chunk in rows.Chunk(Math.Max(1, session.Dialect.MaxParameters / (table.AllColumns.Count + 2))))
        {
            using var command = session.CreateCommand("");
            command.CommandText = Insert(command, chunk, "p");
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Updates every value column of existing rows, and their metadata: over arrays where the dialect lists values so, else a statement per row.</summary>
    public async Task UpdateAsync(IReadOnlyList<RowWrite> rows, bool async, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (rows.Count > 1 && session.Dialect.ListsOverArrays)
        {
            using var command = session.CreateCommand("");
            if (UpdateOverArrays(command, rows) is { } sql)
            {
                command.CommandText = sql;
                await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
                return;
            }
        }

        // Update adds the value parameters first, then the metadata's, then the key parameters.
        await EachRowAsync(rows, command => Update(command, rows[0], "u"), [.. table.ValueColumns, null, null, .. table.KeyColumns], async, ct).ConfigureAwait(false);
    }

    /// <summary>Deletes the rows with the given keys.</summary>
    public async Task DeleteAsync(IReadOnlyCollection<string> keys, bool async, CancellationToken ct)
    {
        if (session.Dialect.WritesRowAtATime)
        {
            var rows = keys.Select(k => new RowWrite(table.DecodeKey(k), null, null)).ToList();
            if (rows.Count > 0)
            {
                await EachRowAsync(rows, command => $"DELETE FROM {session.Table(table)} WHERE " + Predicate(command, table.KeyColumns, [rows[0].Values], "k"),
                    table.KeyColumns, async, ct).ConfigureAwait(false);
            }

            return;
        }

        foreach (var chunk in keys.Chunk(Math.Max(1, session.Dialect.MaxParameters / table.KeyColumns.Count)))
        {
            using var command = session.CreateCommand("");
            command.CommandText = Delete(command, chunk, "k");
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs one statement per row: <paramref name="build"/> writes it for the first row, adding one parameter per entry of
    /// <paramref name="parameters"/>, in order (a column, or null for the row's feed position and then its clocks); every
    /// row then gives those parameters its values. A row holds model values by <see cref="ReplicatedColumn.Ordinal"/> (keys
    /// first, so a key tuple is a row's beginning).
    /// </summary>
    private async Task EachRowAsync(IReadOnlyList<RowWrite> rows, Func<DbCommand, string> build, IReadOnlyList<ReplicatedColumn?> parameters, bool async, CancellationToken ct)
    {
        using var statement = session.CreateRowCommand("");
        statement.Command.CommandText = build(statement.Command);
        foreach (var row in rows)
        {
            var metadata = 0;
            for (var p = 0; p < parameters.Count; p++)
            {
                if (parameters[p] is { } column)
                {
                    column.SetParameterValue(statement.Parameters[p], row.Values[column.Ordinal]);
                }
                else
                {
                    statement.Parameters[p].Value = (metadata++ == 0 ? row.Seq : (object?)row.Clocks) ?? DBNull.Value;
                }
            }

            await statement.ExecuteAsync(async, ct).ConfigureAwait(false);
        }
    }

    /// <summary>An INSERT of rows with their metadata, its parameters (named with the prefix) added to the command.</summary>
    public string Insert(DbCommand command, IReadOnlyList<RowWrite> rows, string prefix)
        => (rows.Count > 1 && session.Dialect.ListsOverArrays ? InsertOverArrays(command, rows, prefix) : null) ?? InsertValues(command, rows, prefix);

    /// <summary>
    /// An INSERT of rows with their metadata over one array parameter per column, zipped by <c>unnest</c>; null (and no
    /// parameter added) where the provider has no array type for one of the columns.
    /// </summary>
    private string? InsertOverArrays(DbCommand command, IReadOnlyList<RowWrite> rows, string prefix)
        => ColumnArrays(command, rows, prefix) is { } arrays ? $"INSERT INTO {session.Table(table)} ({InsertedColumns()}) SELECT * FROM {arrays}" : null;

    /// <summary>
    /// An UPDATE of every value column of rows, and of their metadata, over one array parameter per column, the rows found
    /// by their keys' arrays; null (and no parameter added) where the provider has no array type for one of the columns.
    /// </summary>
    private string? UpdateOverArrays(DbCommand command, IReadOnlyList<RowWrite> rows)
    {
        if (ColumnArrays(command, rows, "u") is not { } arrays)
        {
            return null;
        }

        var all = table.AllColumns;
        var keys = table.KeyColumns.Count;
        var names = string.Join(", ", Enumerable.Range(0, all.Count + 2).Select(i => $"c{i}"));
        var set = string.Join(", ", Enumerable.Range(keys, all.Count - keys).Select(i => $"{session.Column(all[i].Name)} = u.c{i}")
            .Append($"{session.Column(table.SeqColumn)} = u.c{all.Count}").Append($"{session.Column(table.ClocksColumn)} = u.c{all.Count + 1}"));
        var match = string.Join(" AND ", Enumerable.Range(0, keys).Select(i => $"t.{session.Column(all[i].Name)} = u.c{i}"));
        return $"UPDATE {session.Table(table)} AS t SET {set} FROM {arrays} AS u({names}) WHERE {match}";
    }

    /// <summary>
    /// The rows as <c>unnest</c> of one array parameter per column (named with the prefix), in the order of
    /// <see cref="ReplicatedTable.AllColumns"/>, then their feed positions and clocks; null (and no parameter added) where
    /// the provider has no array type for one of the columns.
    /// </summary>
    private string? ColumnArrays(DbCommand command, IReadOnlyList<RowWrite> rows, string prefix)
    {
        var columns = table.AllColumns;
        var arrays = new DbParameter[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var ordinal = c;
            if (columns[c].CreateArrayParameter(command, $"@{prefix}a{c}", session.TypeMappings, rows.Select(r => r.Values[ordinal])) is not { } array)
            {
                return null;
            }

            arrays[c] = array;
        }

        command.Parameters.AddRange(arrays);
        StoreSession.AddParameter(command, $"@{prefix}seq", rows.Select(r => r.Seq).ToArray());
        StoreSession.AddParameter(command, $"@{prefix}clocks", rows.Select(r => r.Clocks).ToArray());
        return $"unnest({string.Join(", ", arrays.Select(a => a.ParameterName))}, @{prefix}seq, @{prefix}clocks)";
    }

    /// <summary>The columns an insert names: every column, then the row's feed position and clocks.</summary>
    private string InsertedColumns()
        => $"{string.Join(", ", table.AllColumns.Select(c => session.Column(c.Name)))}, {session.Column(table.SeqColumn)}, {session.Column(table.ClocksColumn)}";

    /// <summary>An INSERT of rows with their metadata as a list of values, a parameter each.</summary>
    private string InsertValues(DbCommand command, IReadOnlyList<RowWrite> rows, string prefix)
    {
        var columns = table.AllColumns;
        var sql = new StringBuilder($"INSERT INTO {session.Table(table)} ({InsertedColumns()}) VALUES ");
        for (var r = 0; r < rows.Count; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Count; c++)
            {
                var name = $"@{prefix}{r}_{c}";
                sql.Append(c == 0 ? name : ", " + name);
                command.Parameters.Add(columns[c].CreateParameter(command, name, rows[r].Values[c]));
            }

            sql.Append(", ").Append(MetadataParameters(command, rows[r], $"@{prefix}{r}_")).Append(')');
        }

        return sql.ToString();
    }

    /// <summary>An UPDATE of every value column of one row and of its metadata, its parameters (named with the prefix) added to the command.</summary>
    public string Update(DbCommand command, RowWrite row, string prefix)
    {
        var keys = table.KeyColumns;
        var values = table.ValueColumns;
        var set = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            command.Parameters.Add(values[i].CreateParameter(command, $"@{prefix}v{i}", row.Values[keys.Count + i]));
            set.Append(session.Column(values[i].Name)).Append($" = @{prefix}v{i}, ");
        }

        MetadataParameters(command, row, $"@{prefix}");
        set.Append($"{session.Column(table.SeqColumn)} = @{prefix}seq, {session.Column(table.ClocksColumn)} = @{prefix}clocks");
        return $"UPDATE {session.Table(table)} SET {set} WHERE {Predicate(command, keys, [row.Values[..keys.Count]], prefix + "k")}";
    }

    /// <summary>Adds a row's feed position and clocks as parameters (prefix + <c>seq</c>, <c>clocks</c>); returns their names.</summary>
    private static string MetadataParameters(DbCommand command, RowWrite row, string prefix)
    {
        StoreSession.AddParameter(command, prefix + "seq", row.Seq);
        StoreSession.AddParameter(command, prefix + "clocks", row.Clocks);
        return $"{prefix}seq, {prefix}clocks";
    }

    /// <summary>A DELETE of the rows with the given keys, its parameters (named with the prefix) added to the command.</summary>
    public string Delete(DbCommand command, IReadOnlyList<string> keys, string prefix)
        => $"DELETE FROM {session.Table(table)} WHERE " + Predicate(command, table.KeyColumns, [.. keys.Select(table.DecodeKey)], prefix);

    /// <summary>
    /// "The columns hold one of these tuples": a single column's values as one array where the dialect lists values so
    /// (<see cref="SqlDialect.ListsOverArrays"/>) and the provider has an array type for the column, else a parameter per
    /// value.
    /// </summary>
    private string Predicate(DbCommand command, IReadOnlyList<ReplicatedColumn> columns, IReadOnlyList<object?[]> tuples, string prefix)
    {
        if (columns.Count == 1 && tuples.Count > 1 && session.Dialect.ListsOverArrays
            && columns[0].CreateArrayParameter(command, $"@{prefix}a", session.TypeMappings, tuples.Select(t => t[0])) is { } array)
        {
            command.Parameters.Add(array);
            return $"{session.Column(columns[0].Name)} = ANY({array.ParameterName})";
        }

        var sql = new StringBuilder();
        if (columns.Count == 1)
        {
            sql.Append(session.Column(columns[0].Name)).Append(" IN (");
            for (var i = 0; i < tuples.Count; i++)
            {
                var name = $"@{prefix}{i}";
                sql.Append(i == 0 ? name : ", " + name);
                command.Parameters.Add(columns[0].CreateParameter(command, name, tuples[i][0]));
            }

            return sql.Append(')').ToString();
        }

        for (var i = 0; i < tuples.Count; i++)
        {
            sql.Append(i == 0 ? "(" : " OR (");
            for (var c = 0; c < columns.Count; c++)
            {
                var name = $"@{prefix}{i}_{c}";
                sql.Append(c == 0 ? "" : " AND ").Append(session.Column(columns[c].Name)).Append(" = ").Append(name);
                command.Parameters.Add(columns[c].CreateParameter(command, name, tuples[i][c]));
            }

            sql.Append(')');
        }

        return sql.ToString();
    }
}
