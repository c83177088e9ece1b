using System.Data.Common;
using System.Text;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Reads and writes the replication metadata of rows, and Liblim's own tables, with set-based SQL inside the context's
/// transaction. Metadata rows are <see cref="ShadowRow"/>s to its callers. A row shown as it is keeps its metadata in its
/// data row (<see cref="InRowClocks"/>, read and written through <see cref="TableStore"/>); every other row (deleted, held
/// back, shown with a projected reference) keeps it in <c>__liblim_rows</c>, in the compact form of
/// <see cref="CompactShadowRow"/> (this file). <c>ShadowStore.Rows.cs</c> decides which.
/// </summary>
internal sealed partial class ShadowStore(StoreSession session)
{
    private const int ColumnsPerRow = 11;

    /// <summary>
    /// Records the last sequence number and clock handed out in this transaction. Where positions are drawn from the feed
    /// sequence, each only raises the stored one: transactions that drew need not commit in order.
    /// </summary>
    public async Task AdvanceAsync(long seq, long clock, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var (seqColumn, clockColumn) = (session.Column(n.StateSeq), session.Column(n.StateClock));
        using var command = session.CreateCommand(
            $"UPDATE {session.Table(n.StateTable)} SET " +
            (n.FeedSequence is null ? $"{seqColumn} = @seq, {clockColumn} = @clock " : $"{seqColumn} = greatest({seqColumn}, @seq), {clockColumn} = greatest({clockColumn}, @clock) ") +
            $"WHERE {session.Column(n.StateId)} = 1");
        StoreSession.AddParameter(command, "@seq", seq);
        StoreSession.AddParameter(command, "@clock", clock);
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
    }

    /// <summary>The rows of <c>__liblim_rows</c> of the given keys of a table that exist, by key.</summary>
    private async Task<Dictionary<string, ShadowRow>> ReadSeparateAsync(string table, IReadOnlyCollection<string> keys, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var result = new Dictionary<string, ShadowRow>(keys.Count, StringComparer.Ordinal);
        if (keys.Count == 0 || !await HasSeparateAsync(table, async, ct).ConfigureAwait(false))
        {
            return result;
        }

        using var command = session.CreateCommand(
            $"{SelectRows()} WHERE {session.Column(n.RowTableName)} = @t AND {session.Dialect.InBinaryList(session.Column(n.RowKey), "@k")}{LockRowsRead(session.Column(n.RowKey))}");
        StoreSession.AddParameter(command, "@t", table);
        StoreSession.AddParameter(command, "@k", session.Dialect.BinaryList(keys.Select(RowKeyBytes.Encode)));
        var rows = new List<ShadowRow>();
        await ReadInto(rows, command, async, ct).ConfigureAwait(false);
        foreach (var row in rows)
        {
            result[row.Key] = row;
        }

        return result;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> rows of <c>__liblim_rows</c> changed after sequence number <paramref name="since"/>
    /// (and not after <paramref name="through"/>, when given), in sequence order.
    /// </summary>
    private async Task<List<ShadowRow>> ReadSeparateFeedAsync(long since, long? through, int limit, bool async, CancellationToken ct)
    {
        using var command = session.CreateCommand("");
        command.CommandText = $"{SelectRows()} WHERE {StoreSession.FeedStretch(command, session.Column(session.Model.Shadow.RowSeq), since, through, limit)}";
        var rows = new List<ShadowRow>();
        await ReadInto(rows, command, async, ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>Inserts or replaces rows of <c>__liblim_rows</c>, whose nodes are numbered.</summary>
    private async Task WriteSeparateAsync(IReadOnlyList<ShadowRow> logicalRows, bool async, CancellationToken ct)
    {
        if (logicalRows.Count == 0)
        {
            return;
        }

        foreach (var row in logicalRows)
        {
            session.Places.Separate(row.Table, row.Key);
        }

        var rows = logicalRows.Select(r => CompactShadowRow.Compact(r, session.Nodes)).ToList();

        var n = session.Model.Shadow;
        var columns = string.Join(", ", RowColumns().Select(session.Column));
        var updates = string.Join(", ", RowColumns().Skip(2).Select(c => $"{session.Column(c)} = excluded.{session.Column(c)}"));
        var insert = $"INSERT INTO {session.Table(n.RowsTable)} ({columns}) VALUES ";
        var conflict = $" ON CONFLICT ({session.Column(n.RowTableName)}, {session.Column(n.RowKey)}) DO UPDATE SET {updates}";
        if (session.Dialect.WritesRowAtATime)
        {
            await WriteRowAtATimeAsync(rows, insert, conflict, async, ct).ConfigureAwait(false);
            return;
        }

        foreach (var chunk in rows.Chunk(Math.Max(1, session.Dialect.MaxParameters / ColumnsPerRow)))
        {
            using var command = session.CreateCommand("");
            var values = new StringBuilder(insert);
            for (var i = 0; i < chunk.Length; i++)
            {
                values.Append(i == 0 ? "" : ", ").Append(Placeholders(i));
                for (var c = 0; c < ColumnsPerRow; c++)
                {
                    StoreSession.AddParameter(command, $"@p{i}_{c}", null);
                }

                SetValues(command.Parameters, i * ColumnsPerRow, chunk[i]);
            }

            command.CommandText = values.Append(conflict).ToString();
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes metadata rows one statement execution per row (<see cref="RowCommand"/>). The columns a row leaves null are
    /// NULL in the statement's text rather than parameters: one statement per set of null columns (a handful), each
    /// prepared once.
    /// </summary>
    private async Task WriteRowAtATimeAsync(List<StoredShadowRow> rows, string insert, string conflict, bool async, CancellationToken ct)
    {
        var commands = new Dictionary<int, RowCommand>();
        try
        {
            foreach (var row in rows)
            {
                var nulls = NullColumns(row);
                if (!commands.TryGetValue(nulls, out var command))
                {
                    commands[nulls] = command = session.CreateRowCommand(insert + Placeholders(0, nulls) + conflict);
                    for (var c = 0; c < ColumnsPerRow; c++)
                    {
                        if ((nulls & (1 << c)) == 0)
                        {
                            StoreSession.AddParameter(command.Command, $"@p0_{c}", null);
                        }
                    }
                }

                var p = 0;
                for (var c = 0; c < ColumnsPerRow; c++)
                {
                    if ((nulls & (1 << c)) == 0)
                    {
                        command.Parameters[p++].Value = Value(row, c);
                    }
                }

                await command.ExecuteAsync(async, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var command in commands.Values)
            {
                command.Dispose();
            }
        }
    }

    /// <summary>The metadata rows whose <c>awaiting</c> column names one of the given rows (see <see cref="RowHold.AwaitingId"/>).</summary>
    public async Task<List<ShadowRow>> ReadAwaitingAsync(IReadOnlyCollection<string> awaited, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var rows = new List<ShadowRow>();
        if (awaited.Count == 0)
        {
            return rows;
        }

        var awaiting = session.Column(n.RowAwaiting);
        using var command = session.CreateCommand($"{SelectRows()} WHERE {awaiting} IS NOT NULL AND {session.Dialect.InTextList(awaiting, "@a")}");
        StoreSession.AddParameter(command, "@a", session.Dialect.TextList(awaited));
        await ReadInto(rows, command, async, ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>The metadata rows of a table (every table when null) that are held back or projected: those with an <c>awaiting</c> row.</summary>
    public async Task<List<ShadowRow>> ReadHeldAsync(string? table, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand($"{SelectRows()} WHERE {session.Column(n.RowAwaiting)} IS NOT NULL");
        if (table is not null)
        {
            command.CommandText += $" AND {session.Column(n.RowTableName)} = @t";
            StoreSession.AddParameter(command, "@t", table);
        }

        var rows = new List<ShadowRow>();
        await ReadInto(rows, command, async, ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>Reads the stored rows a command selects and adds their logical forms to <paramref name="rows"/>.</summary>
    private async Task ReadInto(List<ShadowRow> rows, DbCommand command, bool async, CancellationToken ct)
    {
        var stored = new List<StoredShadowRow>();
        using (var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false))
        {
            while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
            {
                stored.Add(ReadRow(reader));
            }
        }

        await ReadNodeNumbersAsync(stored.SelectMany(CompactShadowRow.NumbersOf), async, ct).ConfigureAwait(false);
        foreach (var row in stored.Select(r => CompactShadowRow.Expand(r, session.Nodes)))
        {
            session.Places.Separate(row.Table, row.Key);
            rows.Add(row);
        }
    }

    /// <summary>
    /// Whether <c>__liblim_rows</c> has any row of a table (asked once per transaction, and known once one is written): a
    /// table whose rows have never been deleted, held back or projected has none, and its keys need not be looked for there.
    /// </summary>
    private async Task<bool> HasSeparateAsync(string table, bool async, CancellationToken ct)
    {
        if (session.ConcurrentApply)
        {
            return true; // another transaction may write the table's first such row at any time
        }

        if (session.Places.HasSeparate(table) is { } known)
        {
            return known;
        }

        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT 1 FROM {session.Table(n.RowsTable)} WHERE {session.Column(n.RowTableName)} = @t LIMIT 1");
        StoreSession.AddParameter(command, "@t", table);
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        var any = await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
        session.Places.KnowSeparate(table, any);
        return any;
    }

    /// <summary>Deletes the rows of <c>__liblim_rows</c> of the given keys of a table.</summary>
    private async Task DeleteSeparateAsync(string table, IReadOnlyCollection<string> keys, bool async, CancellationToken ct)
    {
        if (keys.Count == 0)
        {
            return;
        }

        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"DELETE FROM {session.Table(n.RowsTable)} WHERE {session.Column(n.RowTableName)} = @t AND {session.Dialect.InBinaryList(session.Column(n.RowKey), "@k")}");
        StoreSession.AddParameter(command, "@t", table);
        StoreSession.AddParameter(command, "@k", session.Dialect.BinaryList(keys.Select(RowKeyBytes.Encode)));
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
    }

    /// <summary>The columns of a metadata row, in the order <see cref="ReadRow"/> and <see cref="WriteRowsAsync"/> use.</summary>
    private string[] RowColumns()
    {
        var n = session.Model.Shadow;
        return [n.RowTableName, n.RowKey, n.RowSeq, n.RowClock, n.RowColumnClocks, n.RowAddTags, n.RowTombstones, n.RowKeptValues, n.RowSource, n.RowHeld, n.RowAwaiting];
    }

    private string SelectRows()
        => $"SELECT {string.Join(", ", RowColumns().Select(session.Column))} FROM {session.Table(session.Model.Shadow.RowsTable)}";

    private static StoredShadowRow ReadRow(DbDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new StoredShadowRow
        {
            TableName = r.GetString(0),
            RowKey = r.GetFieldValue<byte[]>(1),
            Seq = r.GetInt64(2),
            Clock = r.GetString(3),
            ColumnClocks = Text(4),
            AddTags = Text(5),
            Tombstones = Text(6),
            KeptValues = Text(7),
            Source = r.IsDBNull(8) ? null : r.GetInt32(8),
            Held = Text(9),
            Awaiting = Text(10),
        };
    }

    /// <summary>"(@p{row}_0, …, @p{row}_10)": the parameters of one metadata row.</summary>
    /// <summary>A row's parameter names, <c>NULL</c> for the columns in <paramref name="nulls"/> (a bit per column).</summary>
    private static string Placeholders(int row, int nulls = 0)
        => "(" + string.Join(", ", Enumerable.Range(0, ColumnsPerRow).Select(c => (nulls & (1 << c)) != 0 ? "NULL" : $"@p{row}_{c}")) + ")";

    /// <summary>Gives a metadata row's values, in <see cref="RowColumns"/> order, to the parameters from <paramref name="first"/> on.</summary>
    private static void SetValues(DbParameterCollection parameters, int first, StoredShadowRow r)
    {
        for (var c = 0; c < ColumnsPerRow; c++)
        {
            parameters[first + c].Value = Value(r, c);
        }
    }

    /// <summary>A metadata row's value for the column at this place of <see cref="RowColumns"/>; DBNull for null.</summary>
    private static object Value(StoredShadowRow r, int column) => column switch
    {
        0 => (object?)r.TableName,
        1 => r.RowKey,
        2 => r.Seq,
        3 => r.Clock,
        4 => r.ColumnClocks,
        5 => r.AddTags,
        6 => r.Tombstones,
        7 => r.KeptValues,
        8 => r.Source,
        9 => r.Held,
        10 => r.Awaiting,
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    } ?? DBNull.Value;

    /// <summary>The columns of <see cref="RowColumns"/> a metadata row leaves null, a bit per column.</summary>
    private static int NullColumns(StoredShadowRow r)
        => (r.ColumnClocks is null ? 1 << 4 : 0) | (r.AddTags is null ? 1 << 5 : 0) | (r.Tombstones is null ? 1 << 6 : 0)
           | (r.KeptValues is null ? 1 << 7 : 0) | (r.Source is null ? 1 << 8 : 0) | (r.Held is null ? 1 << 9 : 0)
           | (r.Awaiting is null ? 1 << 10 : 0);
}
