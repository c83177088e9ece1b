using System.Data.Common;
using Liblim.EfCore.Benchmarks.Model;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// Rows written the fastest plain way the run can: raw ADO.NET, one prepared statement executed per row, with the values
/// in the form EF stores them (SQLite: Guid as upper-case text, DateTime as text). <see cref="Run"/>, all rows inserted in
/// one transaction, is figure 2's baseline.
/// </summary>
public static class RawRows
{
    private static readonly string[] Columns =
        [nameof(Ticket.Id), nameof(Ticket.Title), nameof(Ticket.Description), nameof(Ticket.Status), nameof(Ticket.Assignee), nameof(Ticket.Priority),
         nameof(Ticket.Points), nameof(Ticket.Revision), nameof(Ticket.Estimate), nameof(Ticket.IsOpen), nameof(Ticket.CreatedUtc)];

    /// <summary>Inserts the rows on an open connection; returns how many.</summary>
    public static int Run(DbConnection connection, IReadOnlyList<Ticket> rows, bool guidAsText, long? firstSeq = null)
    {
        using var transaction = connection.BeginTransaction();
        Insert(connection, transaction, rows, guidAsText, firstSeq);
        transaction.Commit();
        return rows.Count;
    }

    /// <summary>
    /// Inserts the rows in the given transaction; with <paramref name="firstSeq"/>, each with its metadata in the row's
    /// two metadata columns (positions from it on, the clocks of an insert), as a replicated table holds a shown row.
    /// </summary>
    public static void Insert(DbConnection connection, DbTransaction transaction, IReadOnlyList<Ticket> rows, bool guidAsText, long? firstSeq = null)
    {
        var columns = WithMetadata(Columns, firstSeq);
        EachRow(connection, transaction, rows, guidAsText, firstSeq,
            $"INSERT INTO \"{BenchDb.TableName}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})");
    }

    /// <summary>Updates every column of the rows with these keys to the rows' values (and their metadata, as <see cref="Insert"/>), in the given transaction.</summary>
    public static void Update(DbConnection connection, DbTransaction transaction, IReadOnlyList<Ticket> rows, bool guidAsText, long? firstSeq = null)
    {
        var columns = WithMetadata(Columns, firstSeq);
        EachRow(connection, transaction, rows, guidAsText, firstSeq,
            $"UPDATE \"{BenchDb.TableName}\" SET {string.Join(", ", columns.Skip(1).Select((c, i) => $"\"{c}\" = @p{i + 1}"))} " +
            $"WHERE \"{Columns[0]}\" = @p0");
    }

    private static string[] WithMetadata(string[] columns, long? firstSeq)
        => firstSeq is null ? columns : [.. columns, FloorDb.SeqColumn, FloorDb.ClocksColumn];

    /// <summary>Executes a statement whose parameter <c>@pN</c> is the row's column N once per row, prepared once.</summary>
    private static void EachRow(DbConnection connection, DbTransaction transaction, IReadOnlyList<Ticket> rows, bool guidAsText, long? firstSeq, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var parameters = new DbParameter[Columns.Length + (firstSeq is null ? 0 : 2)];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = $"@p{i}";
            command.Parameters.Add(parameters[i]);
        }

        // Types come from the first row's values (Npgsql: uuid, text, integer, bigint, double, boolean, timestamptz).
        SetValues(parameters, rows[0], guidAsText);
        var seq = firstSeq ?? 0;
        if (firstSeq is not null)
        {
            parameters[Columns.Length].Value = seq;
            parameters[Columns.Length + 1].Value = MetadataFloor.InsertedClocks;
        }

        command.Prepare();
        foreach (var row in rows)
        {
            SetValues(parameters, row, guidAsText);
            if (firstSeq is not null)
            {
                parameters[Columns.Length].Value = seq++;
            }

            if (command.ExecuteNonQuery() != 1)
            {
                throw new InvalidOperationException($"The statement wrote no row {row.Id}.");
            }
        }
    }

    private static void SetValues(DbParameter[] p, Ticket row, bool guidAsText)
    {
        p[0].Value = guidAsText ? row.Id.ToString().ToUpperInvariant() : row.Id;
        p[1].Value = row.Title;
        p[2].Value = row.Description;
        p[3].Value = row.Status;
        p[4].Value = row.Assignee;
        p[5].Value = row.Priority;
        p[6].Value = row.Points;
        p[7].Value = row.Revision;
        p[8].Value = row.Estimate;
        p[9].Value = row.IsOpen;
        p[10].Value = row.CreatedUtc;
    }
}
