using System.Globalization;
using System.Text.Json;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// The floor of a layout that keeps a shown row's feed position and clocks in two columns of the data row itself
/// (<see cref="InRowDb"/>), written by EF's own INSERT and UPDATE: what a replicated SaveChanges could not avoid with it,
/// done raw in the app's transaction. Before EF writes: lock the state row, read the current position and clocks of the
/// rows updated or deleted (an app's tracked copy may be stale), look for tombstones of inserted keys in
/// <c>__liblim_rows</c>, and set the two shadow properties of each entry. After: a deleted row's tombstone and kept values
/// go to <c>__liblim_rows</c> (the values from the entry's original values), and the state row is advanced.
/// </summary>
public static class InRowFloor
{
    /// <summary>What runs before EF's SaveChanges.</summary>
    public static void Before(InRowDb db, IReadOnlyList<Guid> keys, MetadataFloor.Kind kind, long firstSeq)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        using (var lockState = connection.CreateCommand())
        {
            lockState.Transaction = transaction;
            lockState.CommandText = "INSERT INTO \"__liblim_state\" (\"id\", \"node_id\", \"seq\", \"clock\") VALUES (1, @node, 0, 0) ON CONFLICT (\"id\") DO NOTHING; " +
                                    "SELECT \"node_id\", \"retired_node_id\", \"seq\", \"clock\" FROM \"__liblim_state\" WHERE \"id\" = 1";
            MetadataFloor.Add(lockState, "@node", Guid.NewGuid().ToString("N"));
            using var reader = lockState.ExecuteReader();
            reader.Read();
        }

        var current = new Dictionary<Guid, (long? Seq, string? Meta)>(keys.Count);
        if (kind == MetadataFloor.Kind.Insert)
        {
            MetadataFloor.ReadMetadata(connection, transaction, keys);
        }
        else
        {
            using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = $"SELECT \"Id\", \"{InRowDb.SeqColumn}\", \"{InRowDb.MetaColumn}\" FROM \"{BenchDb.TableName}\" WHERE \"Id\" IN (SELECT value FROM json_each(@k))";
            MetadataFloor.Add(read, "@k", JsonSerializer.Serialize(keys.Select(k => k.ToString().ToUpperInvariant())));
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                current[reader.GetGuid(0)] = (reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            }

            if (current.Count != keys.Count)
            {
                throw new InvalidOperationException($"Expected the clocks of {keys.Count} rows, read {current.Count}.");
            }
        }

        var clock = Clock();
        var seq = firstSeq;
        foreach (var entry in db.ChangeTracker.Entries<Ticket>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    entry.Property(InRowDb.SeqColumn).CurrentValue = seq++;
                    entry.Property(InRowDb.MetaColumn).CurrentValue = clock;
                    break;
                case EntityState.Modified:
                    var base_ = current[entry.Entity.Id].Meta!;
                    entry.Property(InRowDb.SeqColumn).CurrentValue = seq++;
                    entry.Property(InRowDb.MetaColumn).CurrentValue = base_[..Math.Min(base_.Length, 18)] + " Title=" + clock;
                    break;
            }
        }
    }

    /// <summary>What runs after EF's SaveChanges: tombstones of deleted rows, then the state row.</summary>
    public static void After(InRowDb db, IReadOnlyList<Guid> keys, MetadataFloor.Kind kind, string[]? kept, long firstSeq)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        if (kind == MetadataFloor.Kind.Delete)
        {
            MetadataFloor.Write(connection, transaction, keys, kind, kept, firstSeq);
        }

        using var advance = connection.CreateCommand();
        advance.Transaction = transaction;
        advance.CommandText = "UPDATE \"__liblim_state\" SET \"seq\" = @seq, \"clock\" = @clock WHERE \"id\" = 1";
        MetadataFloor.Add(advance, "@seq", firstSeq + keys.Count);
        MetadataFloor.Add(advance, "@clock", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 16);
        advance.ExecuteNonQuery();
    }

    /// <summary>The values a tombstone keeps, from the tracked entries' original values (taken before EF deletes them).</summary>
    public static string[] KeptValues(InRowDb db, IReadOnlyList<Guid> keys)
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

    private static string Clock()
        => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 16).ToString("x", CultureInfo.InvariantCulture) + ".1";
}
