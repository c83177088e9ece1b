using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// The database work a replicated SaveChanges cannot avoid, done with raw ADO.NET in the app's transaction, for the
/// floor of figure 1: read the metadata rows of the keys written (one statement, as Liblim does), read the values of
/// deleted rows (which a tombstone keeps), and upsert one metadata row per row (one prepared statement), in the
/// stored form Liblim uses (docs/semantics.md, "Storage"). No states are built, no changes detected: only I/O.
/// </summary>
public static class MetadataFloor
{
    private const string Table = "Tickets";

    public enum Kind
    {
        Insert,
        Update,
        Delete,
    }

    /// <summary>What a replicated SaveChanges reads before EF writes: the keys' metadata, and a deleted row's values.</summary>
    /// <returns>The values to keep, for deletes; null otherwise.</returns>
    public static string[]? Before(DbContext db, IReadOnlyList<Guid> keys, Kind kind)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        var read = ReadMetadata(connection, transaction, keys);
        if (kind != Kind.Insert && read != keys.Count)
        {
            throw new InvalidOperationException($"Expected the metadata of {keys.Count} rows, read {read}.");
        }

        return kind == Kind.Delete ? ReadValues(connection, transaction, keys) : null;
    }

    /// <summary>What it writes after: one metadata row per row.</summary>
    public static void After(DbContext db, IReadOnlyList<Guid> keys, Kind kind, string[]? kept, long firstSeq)
        => Write(db.Database.GetDbConnection(), db.Database.CurrentTransaction!.GetDbTransaction(), keys, kind, kept, firstSeq);

    /// <summary>One metadata row per row, upserted in the given transaction.</summary>
    public static void Write(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> keys, Kind kind, string[]? kept, long firstSeq)
    {
        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText =
            "INSERT INTO \"__liblim_rows\" (\"table_name\", \"row_key\", \"seq\", \"clock\", \"column_clocks\", \"add_tags\", \"tombstones\", " +
            "\"kept_values\", \"source\", \"held\", \"awaiting\") VALUES (@t, @k, @s, @c, @cc, @a, @d, @v, NULL, NULL, NULL) " +
            "ON CONFLICT (\"table_name\", \"row_key\") DO UPDATE SET \"seq\" = excluded.\"seq\", \"clock\" = excluded.\"clock\", " +
            "\"column_clocks\" = excluded.\"column_clocks\", \"add_tags\" = excluded.\"add_tags\", \"tombstones\" = excluded.\"tombstones\", " +
            "\"kept_values\" = excluded.\"kept_values\", \"source\" = excluded.\"source\", \"held\" = excluded.\"held\", \"awaiting\" = excluded.\"awaiting\"";
        var parameters = new[] { "@t", "@k", "@s", "@c", "@cc", "@a", "@d", "@v" }.Select(n => Add(upsert, n, DBNull.Value)).ToArray();
        upsert.Prepare();
        var clock = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 16).ToString("x", CultureInfo.InvariantCulture) + ".1";
        for (var i = 0; i < keys.Count; i++)
        {
            parameters[0].Value = Table;
            parameters[1].Value = KeyBytes(keys[i]);
            parameters[2].Value = firstSeq + i;
            parameters[3].Value = kind == Kind.Update ? "18c2a4f1b2c3000.1" : clock;
            parameters[4].Value = kind == Kind.Update ? "{\"Title\":\"" + clock + "\"}" : DBNull.Value;
            parameters[5].Value = kind == Kind.Delete ? DBNull.Value : "=";
            parameters[6].Value = kind == Kind.Delete ? "=" : DBNull.Value;
            parameters[7].Value = kept?[i] ?? (object)DBNull.Value;
            upsert.ExecuteNonQuery();
        }
    }

    /// <summary>The stored form of a single-Guid key: a marker byte and the Guid's 16 bytes, big-endian.</summary>
    internal static byte[] KeyBytes(Guid key)
    {
        var bytes = new byte[17];
        bytes[0] = 0xFF;
        key.TryWriteBytes(bytes.AsSpan(1), bigEndian: true, out _);
        return bytes;
    }

    /// <summary>
    /// What applying a batch of remote states cannot avoid besides writing: read the metadata rows of its keys and the
    /// data rows of its keys (stored as upper-case text, as EF stores a Guid on SQLite), values read but not converted.
    /// </summary>
    /// <returns>How many metadata and data rows were found.</returns>
    public static int ReadBeforeApply(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> keys)
    {
        var found = ReadMetadata(connection, transaction, keys);
        ReadTickets(connection, transaction, keys, reader =>
        {
            for (var c = 0; c < reader.FieldCount; c++)
            {
                _ = reader.GetValue(c);
            }

            found++;
        });
        return found;
    }

    internal static int ReadMetadata(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> keys)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT \"table_name\", \"row_key\", \"seq\", \"clock\", \"column_clocks\", \"add_tags\", \"tombstones\", \"kept_values\", " +
                              "\"source\", \"held\", \"awaiting\" FROM \"__liblim_rows\" WHERE \"table_name\" = @t AND \"row_key\" IN (SELECT unhex(value) FROM json_each(@k))";
        Add(command, "@t", Table);
        Add(command, "@k", JsonSerializer.Serialize(keys.Select(k => Convert.ToHexString(KeyBytes(k)))));
        using var reader = command.ExecuteReader();
        var count = 0;
        while (reader.Read())
        {
            for (var c = 0; c < reader.FieldCount; c++)
            {
                _ = reader.GetValue(c);
            }

            count++;
        }

        return count;
    }

    /// <summary>The values of the rows, as JSON objects (what a tombstone keeps), read in chunks of 200 keys.</summary>
    private static string[] ReadValues(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> keys)
    {
        var byKey = new Dictionary<Guid, string>(keys.Count);
        ReadTickets(connection, transaction, keys, reader =>
        {
            var values = new Dictionary<string, object?>(reader.FieldCount);
            for (var c = 1; c < reader.FieldCount; c++)
            {
                values[reader.GetName(c)] = reader.IsDBNull(c) ? null : reader.GetValue(c);
            }

            byKey[reader.GetGuid(0)] = JsonSerializer.Serialize(values);
        });
        return [.. keys.Select(k => byKey.TryGetValue(k, out var json) ? json
            : throw new InvalidOperationException($"Row {k} was not read back."))];
    }

    /// <summary>The rows of the data table with the given keys (stored as upper-case text, as EF stores a Guid on SQLite), 200 keys to a statement.</summary>
    private static void ReadTickets(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> keys, Action<DbDataReader> row)
    {
        foreach (var chunk in keys.Chunk(200))
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT * FROM \"Tickets\" WHERE \"Id\" IN (" + string.Join(", ", chunk.Select((_, i) => "@k" + i.ToString(CultureInfo.InvariantCulture))) + ")";
            for (var i = 0; i < chunk.Length; i++)
            {
                Add(command, "@k" + i.ToString(CultureInfo.InvariantCulture), chunk[i].ToString().ToUpperInvariant());
            }

            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                row(reader);
            }
        }
    }

    internal static DbParameter Add(DbCommand command, string name, object value)
    {
        var p = new SqliteParameter(name, value);
        command.Parameters.Add(p);
        return p;
    }
}
