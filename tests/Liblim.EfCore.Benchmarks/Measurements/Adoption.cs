using System.Data.Common;
using System.Diagnostics;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 10: a table that held rows before it was replicated, adopted (<c>db.Liblim().AdoptRowsAsync()</c>, what the
/// first write or sync of a process does), against inserting the same rows raw in one transaction, on SQLite and on
/// PostgreSQL; and the storage the adoption adds per row.
/// </summary>
internal static class Adoption
{
    public sealed record Result(string Database, int Rows, TimeSpan Insert, TimeSpan Adopt);

    public static async Task<Result> MeasureSqliteAsync(int rows)
    {
        var path = SqliteFiles.CreateReplicated($"adopt-{rows}");
        try
        {
            TimeSpan insert;
            using (var connection = SqliteFiles.OpenRaw(path))
            {
                insert = Time(connection, rows, guidAsText: true);
            }

            return new Result("SQLite", rows, insert, await AdoptAsync(new ReplicatedDb(SqliteFiles.ReplicatedOptions(path)), rows));
        }
        finally
        {
            SqliteFiles.Delete(path);
        }
    }

    public static async Task<Result> MeasurePostgresAsync(PostgresInstance postgres, int rows)
    {
        var database = postgres.CreateDatabase();
        await using (var db = new ReplicatedDb(PostgresInstance.ReplicatedOptions(database)))
        {
            await db.Database.EnsureCreatedAsync();
        }

        TimeSpan insert;
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            insert = Time(connection, rows, guidAsText: false);
        }

        return new Result("PostgreSQL", rows, insert, await AdoptAsync(new ReplicatedDb(PostgresInstance.ReplicatedOptions(database)), rows));
    }

    private static TimeSpan Time(DbConnection connection, int rows, bool guidAsText)
    {
        var tickets = TicketGenerator.Range(0, rows).ToList();
        var started = Stopwatch.StartNew();
        RawRows.Run(connection, tickets, guidAsText);
        return started.Elapsed;
    }

    private static async Task<TimeSpan> AdoptAsync(ReplicatedDb db, int rows)
    {
        await using (db)
        {
            var started = Stopwatch.StartNew();
            var adopted = await db.Liblim().AdoptRowsAsync();
            var elapsed = started.Elapsed;
            if (adopted != rows)
            {
                throw new InvalidOperationException($"Adopted {adopted} rows, not {rows}.");
            }

            return elapsed;
        }
    }
}
