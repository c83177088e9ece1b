using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// The database work replication cannot avoid with its storage layout (docs/semantics.md, "Storage": a shown row's
/// feed position and clocks in two columns of the row, everything else in <c>__liblim_rows</c>), done raw in the
/// transaction of the work measured, for the floors of figures 1 and 2. No states are built, no changes detected: only I/O.
/// </summary>
/// <remarks>
/// A SaveChanges (<see cref="Before"/>, <see cref="After"/>): lock the state row; read the position and clocks of the
/// rows updated or deleted (the app's tracked copy may be stale) and look for tombstones of the inserted keys; give EF
/// each row's new position and clocks to write with the row (<see cref="FloorDb"/>'s shadow properties); after EF, put
/// a deleted row's tombstone and kept values (from the entry's original values) in <c>__liblim_rows</c>, and advance the
/// state row. Applying a batch (<see cref="ReadBeforeApply"/>): read the keys' data rows with their metadata and look for
/// their rows in <c>__liblim_rows</c>; then write each row with its metadata (<see cref="RawRows"/>).
/// </remarks>
public static class MetadataFloor
{
    /// <summary>The stored clocks the floors write: a base clock (a row right after its insert).</summary>
    public const string InsertedClocks = "18c2a4f1b2c3000.1";

    private const string Table = "Tickets";

    public enum Kind
    {
        Insert,
        Update,
        Delete,
    }

    /// <summary>
    /// The floor of one SaveChanges of the rows tracked with the given keys: in one transaction, as Liblim opens it (no
    /// automatic savepoint), <see cref="Before"/>, EF's SaveChanges, <see cref="After"/>.
    /// </summary>
    public static int Save(FloorDb db, IReadOnlyList<Guid> keys, Kind kind)
    {
        using var transaction = db.Database.BeginTransaction();
        db.Database.AutoSavepointsEnabled = false;
        const long firstSeq = 1_000_001;
        var kept = Before(db, keys, kind, firstSeq);
        var saved = db.SaveChanges();
        After(db, keys, kind, kept, firstSeq);
        transaction.Commit();
        return saved;
    }

    /// <summary>What runs before EF's SaveChanges; returns the values a delete keeps (null for the other kinds).</summary>
    public static string[]? Before(FloorDb db, IReadOnlyList<Guid> keys, Kind kind, long firstSeq)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        using (var lockState = Command(connection, transaction,
                   "INSERT INTO \"__liblim_state\" (\"id\", \"node_id\", \"seq\", \"clock\") VALUES (1, @node, 0, 0) ON CONFLICT (\"id\") DO NOTHING; " +
                   "SELECT \"node_id\", \"retired_node_id\", \"seq\", \"clock\" FROM \"__liblim_state\" WHERE \"id\" = 1"))
        {
            Add(lockState, "@node", Guid.NewGuid().ToString("N"));
            using var reader = lockState.ExecuteReader();
            reader.Read();
        }

        var current = new Dictionary<Guid, string>(keys.Count);
        if (kind == Kind.Insert)
        {
            ReadSeparate(connection, transaction, keys);
        }
        else
        {
            ReadTickets(connection, transaction, keys, withValues: false, reader => current[reader.GetGuid(0)] = reader.GetString(2));
            if (current.Count != keys.Count)
            {
                throw new InvalidOperationException($"Expected the clocks of {keys.Count} rows, read {current.Count}.");
            }
        }

        var kept = kind == Kind.Delete ? KeptValues(db, keys) : null;
        var clock = Clock();
        var seq = firstSeq;
        foreach (var entry in db.ChangeTracker.Entries<Ticket>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Property(FloorDb.SeqColumn).CurrentValue = seq++;
                entry.Property(FloorDb.ClocksColumn).CurrentValue = entry.State == EntityState.Added
                    ? clock
                    : current[entry.Entity.Id] + ";c{\"Title\":\"" + clock + "\"}";
            }
        }

        return kept;
    }

    /// <summary>What runs after EF's SaveChanges: the tombstones of deleted rows, then the state row.</summary>
    public static void After(FloorDb db, IReadOnlyList<Guid> keys, Kind kind, string[]? kept, long firstSeq)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        if (kind == Kind.Delete)
        {
            WriteTombstones(connection, transaction, keys, kept!, firstSeq);
        }

        using var advance = Command(connection, transaction, "UPDATE \"__liblim_state\" SET \"seq\" = @seq, \"clock\" = @clock WHERE \"id\" = 1");
        Add(advance, "@seq", firstSeq + keys.Count);
        Add(advance, "@clock", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 16);
        advance.ExecuteNonQuery();
    }

    /// <summary>
    /// What applying a batch reads before it writes: the keys' data rows with their metadata, and their rows of
    /// <c>__liblim_rows</c>. Returns how many rows were found in both.
    /// </summary>
    public static int ReadBeforeApply(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> keys)
    {
        var found = ReadSeparate(connection, transaction, keys);
        ReadTickets(connection, transaction, keys, withValues: true, reader =>
        {
            for (var c = 0; c < reader.FieldCount; c++)
            {
                _ = reader.GetValue(c);
            }

            found++;
        });
        return found;
    }

    /// <summary>A deleted row's tombstone and kept values, one row of <c>__liblim_rows</c> per key (one prepared statement).</summary>
    private static void WriteTombstones(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> keys, string[] kept, long firstSeq)
    {
        using var insert = Command(connection, transaction,
            "INSERT INTO \"__liblim_rows\" (\"table_name\", \"row_key\", \"seq\", \"clock\", \"column_clocks\", \"add_tags\", \"tombstones\", " +
            "\"kept_values\", \"source\", \"held\", \"awaiting\") VALUES (@t, @k, @s, @c, NULL, NULL, '=', @v, NULL, NULL, NULL) " +
            "ON CONFLICT (\"table_name\", \"row_key\") DO UPDATE SET \"seq\" = excluded.\"seq\", \"clock\" = excluded.\"clock\", " +
            "\"column_clocks\" = excluded.\"column_clocks\", \"add_tags\" = excluded.\"add_tags\", \"tombstones\" = excluded.\"tombstones\", " +
            "\"kept_values\" = excluded.\"kept_values\", \"source\" = excluded.\"source\", \"held\" = excluded.\"held\", \"awaiting\" = excluded.\"awaiting\"");
        var parameters = new[] { "@t", "@k", "@s", "@c", "@v" }.Select(n => Add(insert, n, DBNull.Value)).ToArray();
        insert.Prepare();
        for (var i = 0; i < keys.Count; i++)
        {
            parameters[0].Value = Table;
            parameters[1].Value = KeyBytes(keys[i]);
            parameters[2].Value = firstSeq + i;
            parameters[3].Value = InsertedClocks;
            parameters[4].Value = kept[i];
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>The values a tombstone keeps, from the tracked entries' original values (taken before EF deletes them).</summary>
    private static string[] KeptValues(FloorDb db, IReadOnlyList<Guid> keys)
    {
        var byKey = new Dictionary<Guid, string>(keys.Count);
        foreach (var entry in db.ChangeTracker.Entries<Ticket>())
        {
            if (entry.State == EntityState.Deleted)
            {
                var values = new Dictionary<string, object?>();
                foreach (var property in entry.Properties)
                {
                    if (!property.Metadata.IsPrimaryKey() && !property.Metadata.IsShadowProperty())
                    {
                        values[property.Metadata.Name] = property.OriginalValue;
                    }
                }

                byKey[entry.Entity.Id] = JsonSerializer.Serialize(values);
            }
        }

        return [.. keys.Select(k => byKey[k])];
    }

    /// <summary>Looks for the keys' rows of <c>__liblim_rows</c> (one statement, as Liblim reads them); returns how many there are.</summary>
    private static int ReadSeparate(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> keys)
    {
        using var command = Command(connection, transaction,
            "SELECT \"table_name\", \"row_key\", \"seq\", \"clock\", \"column_clocks\", \"add_tags\", \"tombstones\", \"kept_values\", " +
            "\"source\", \"held\", \"awaiting\" FROM \"__liblim_rows\" WHERE \"table_name\" = @t AND \"row_key\" IN (SELECT unhex(value) FROM json_each(@k))");
        Add(command, "@t", Table);
        Add(command, "@k", JsonSerializer.Serialize(keys.Select(k => Convert.ToHexString(KeyBytes(k)))));
        using var reader = command.ExecuteReader();
        var count = 0;
        while (reader.Read())
        {
            count++;
        }

        return count;
    }

    /// <summary>The data rows of the keys that hold their metadata (one statement, as Liblim reads them): key, position, clocks, then the values when asked.</summary>
    private static void ReadTickets(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> keys, bool withValues, Action<DbDataReader> row)
    {
        using var command = Command(connection, transaction,
            $"SELECT \"Id\", \"{FloorDb.SeqColumn}\", \"{FloorDb.ClocksColumn}\"{(withValues ? ", *" : "")} FROM \"{Table}\" " +
            $"WHERE \"Id\" IN (SELECT value FROM json_each(@k)) AND \"{FloorDb.SeqColumn}\" IS NOT NULL");
        Add(command, "@k", JsonSerializer.Serialize(keys.Select(k => k.ToString().ToUpperInvariant())));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            row(reader);
        }
    }

    /// <summary>The stored form of a single-Guid key: a marker byte and the Guid's 16 bytes, big-endian.</summary>
    private static byte[] KeyBytes(Guid key)
    {
        var bytes = new byte[17];
        bytes[0] = 0xFF;
        key.TryWriteBytes(bytes.AsSpan(1), bigEndian: true, out _);
        return bytes;
    }

    private static string Clock()
        => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 16).ToString("x", CultureInfo.InvariantCulture) + ".1";

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static DbParameter Add(DbCommand command, string name, object value)
    {
        var p = new SqliteParameter(name, value);
        command.Parameters.Add(p);
        return p;
    }
}
