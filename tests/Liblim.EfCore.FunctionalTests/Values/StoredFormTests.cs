using System.Data.Common;
using System.Globalization;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Liblim.EfCore.FunctionalTests.Values.ValueRoundTripTests;

namespace Liblim.EfCore.FunctionalTests.Values;

/// <summary>
/// A merge writes rows with statements of its own, not through SaveChanges; on SQLite it binds most values itself, and on
/// PostgreSQL it inserts many rows over one array per column. The
/// rows it writes must be stored exactly as EF Core stores the same rows, in every column the same storage class and the
/// same text, number or bytes: EF's own queries compare what they bind (a Guid as upper-case text, a time as text of a
/// fixed form) with what is stored, so a row stored any other way would be there and not found.
/// </summary>
public class StoredFormTests
{
    [Fact]
    public async Task Rows_a_merge_inserts_updates_and_deletes_on_SQLite_are_stored_exactly_as_EF_Core_stores_them()
    {
        using var writer = new ValueReplica(DatabaseKind.Sqlite);
        using var receiver = new ValueReplica(DatabaseKind.Sqlite);
        Func<ValueRow>[] samples = [ValueSamples.Typical, ValueSamples.Extremes, ValueSamples.EmptiesAndNulls];
        var rows = samples.Select(sample => sample()).ToArray();
        var unspecified = ValueSamples.Typical();
        unspecified.When = new DateTime(2026, 11, 25, 6, 10, 33, DateTimeKind.Unspecified).AddTicks(1_000_001);
        unspecified.NullableWhen = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Local);
        unspecified.NullableText = "before\0after";
        unspecified.Text = "a lone \ud800 surrogate, which the driver stores as U+FFFD";
        var readings = new[]
        {
            new Reading { Sensor = "north", At = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_567), Value = 1.0 / 3 },
            new Reading { Sensor = "south", At = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Value = -0.0 },
        };
        await using (var db = writer.Open())
        {
            db.Rows.AddRange([.. rows, unspecified]);
            db.Readings.AddRange(readings);
            await db.SaveChangesAsync();
        }

        await SyncAsync(writer, receiver);
        await AssertStoredAlikeAsync(writer, receiver);

        // Every value column of every row changes (each row takes the next sample's values), one row is deleted, and the
        // readings (keyed by a text and a time) change their values: the merge updates and deletes by key.
        await using (var db = writer.Open())
        {
            var stored = await db.Rows.ToListAsync();
            for (var i = 0; i < rows.Length; i++)
            {
                var next = samples[(i + 1) % samples.Length]();
                next.Id = rows[i].Id;
                db.Entry(stored.Single(r => r.Id == next.Id)).CurrentValues.SetValues(next);
            }

            db.Rows.Remove(stored.Single(r => r.Id == unspecified.Id));
            foreach (var reading in await db.Readings.ToListAsync())
            {
                reading.Value = reading.Value * 2 + 1;
            }

            await db.SaveChangesAsync();
        }

        var result = await SyncAsync(writer, receiver);
        Assert.Equal(rows.Length + 1 + readings.Length, result.RowsAppliedByPeer);
        await AssertStoredAlikeAsync(writer, receiver);

        // EF finds every merged row by its key, as it binds it.
        await using (var db = receiver.Open())
        {
            foreach (var row in rows)
            {
                Assert.NotNull(await db.Rows.FindAsync(row.Id));
            }

            Assert.Null(await db.Rows.FindAsync(unspecified.Id));
            foreach (var reading in readings)
            {
                Assert.NotNull(await db.Readings.FindAsync(reading.Sensor, reading.At));
            }
        }
    }

    [Fact]
    public async Task Rows_a_merge_writes_on_PostgreSQL_over_arrays_are_stored_exactly_as_EF_Core_stores_them()
    {
        using var writer = new ValueReplica(DatabaseKind.Postgres);
        using var receiver = new ValueReplica(DatabaseKind.Postgres);
        // Several rows of each table, so that the merge inserts them over one array per column (unnest).
        await using (var db = writer.Open())
        {
            db.Rows.AddRange(ValueSamples.Typical(), ValueSamples.Extremes(), ValueSamples.EmptiesAndNulls());
            db.Readings.AddRange(
                new Reading { Sensor = "north", At = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_560), Value = 1.0 / 3 },
                new Reading { Sensor = "south", At = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Value = -0.0 });
            await db.SaveChangesAsync();
        }

        Assert.Equal(5, (await SyncAsync(writer, receiver)).RowsAppliedByPeer);
        await AssertStoredAlikeOnPostgresAsync(writer, receiver);

        // Every row changes but one, which is deleted with a reading: the merge reads the rows by a list of keys and deletes
        // by one, each list one array.
        await using (var db = writer.Open())
        {
            var stored = await db.Rows.OrderBy(r => r.Id).ToListAsync();
            db.Rows.Remove(stored[0]);
            foreach (var row in stored.Skip(1))
            {
                var next = ValueSamples.Typical();
                next.Id = row.Id;
                next.Text = $"changed {row.Id}";
                db.Entry(row).CurrentValues.SetValues(next);
            }

            var readings = await db.Readings.ToListAsync();
            db.Readings.Remove(readings[0]);
            readings[1].Value = 42;
            await db.SaveChangesAsync();
        }

        Assert.Equal(5, (await SyncAsync(writer, receiver)).RowsAppliedByPeer);
        await AssertStoredAlikeOnPostgresAsync(writer, receiver);
        await using (var db = receiver.Open())
        {
            Assert.Equal(2, await db.Rows.CountAsync());
            Assert.Equal(1, await db.Readings.CountAsync());
        }
    }

    private static async Task AssertStoredAlikeOnPostgresAsync(ValueReplica expected, ValueReplica actual)
    {
        foreach (var table in new[] { "Rows", "Readings" })
        {
            Assert.Equal(await StoredOnPostgresAsync(expected, table), await StoredOnPostgresAsync(actual, table));
        }
    }

    /// <summary>Each row of a PostgreSQL table as its data columns' types and texts, rows in order of those texts.</summary>
    private static Task<List<string>> StoredOnPostgresAsync(ValueReplica replica, string table)
        => StoredRowsAsync(replica, table,
            $"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position",
            columns => string.Join(" || '\n' || ", columns.Select(c => $"'{c}: ' || pg_typeof(\"{c}\")::text || ' ' || coalesce(quote_literal(\"{c}\"), 'NULL')")),
            (reader, _) => reader.GetString(0));

    private static async Task AssertStoredAlikeAsync(ValueReplica expected, ValueReplica actual)
    {
        foreach (var table in new[] { "Rows", "Readings" })
        {
            var want = await StoredAsync(expected, table);
            var got = await StoredAsync(actual, table);
            Assert.Equal(want.Count, got.Count);
            for (var i = 0; i < want.Count; i++)
            {
                Assert.Equal(want[i], got[i]);
            }
        }
    }

    /// <summary>Each row of a SQLite table as one line per column, "column: storage class value", rows in order of their columns' text.</summary>
    private static Task<List<string>> StoredAsync(ValueReplica replica, string table)
        => StoredRowsAsync(replica, table, $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid",
            columns => string.Join(", ", columns.Select(c => $"typeof(\"{c}\"), \"{c}\"")),
            (reader, columns) => string.Join("\n", columns.Select((c, i) => $"{c}: {reader.GetString(2 * i)} {Exact(reader.GetValue(2 * i + 1))}")));

    /// <summary>
    /// Each row of a table as text, in order: its data columns (the names <paramref name="columnsSql"/> lists, less a row's
    /// replication metadata, which differs by replica) selected as <paramref name="select"/> gives and described by
    /// <paramref name="describe"/>.
    /// </summary>
    private static async Task<List<string>> StoredRowsAsync(
        ValueReplica replica, string table, string columnsSql, Func<List<string>, string> select, Func<DbDataReader, List<string>, string> describe)
    {
        await using var db = replica.Open();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var columns = new List<string>();
        await using (var info = Command(connection, columnsSql))
        await using (var reader = await info.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (!Liblim.EfCore.Metadata.Internal.RowMetadataNames.IsRowMetadata(reader.GetString(0)))
                {
                    columns.Add(reader.GetString(0));
                }
            }
        }

        var rows = new List<string>();
        await using (var query = Command(connection, $"SELECT {select(columns)} FROM \"{table}\""))
        await using (var reader = await query.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(describe(reader, columns));
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static string Exact(object value) => value switch
    {
        byte[] bytes => "x'" + Convert.ToHexString(bytes) + "'",
        double real => BitConverter.DoubleToInt64Bits(real).ToString(CultureInfo.InvariantCulture),
        string text => "'" + text + "'",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
