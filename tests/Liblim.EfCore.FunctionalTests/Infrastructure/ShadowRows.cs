using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>Reads Liblim's shadow tables with plain SQL, as an operator would (the same SQL on SQLite and PostgreSQL).</summary>
public static class ShadowRows
{
    public sealed record Meta(string Table, string Key, long Seq, string Clock, string? ColumnClocks, string? AddTags, string? Tombstones, string? KeptValues);

    public static List<Meta> Rows(IReplica replica)
        => Query(replica, "SELECT table_name, row_key, seq, clock, column_clocks, add_tags, tombstones, kept_values FROM __liblim_rows ORDER BY seq",
            r => new Meta(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)));

    public static Meta? Row(IReplica replica, string table, Guid id)
        => Rows(replica).SingleOrDefault(m => m.Table == table && m.Key == $"[\"{id}\"]");

    public static int Count(IReplica replica) => Rows(replica).Count;

    public static List<long> Seqs(IReplica replica) => [.. Rows(replica).Select(r => r.Seq)];

    /// <summary>The last sequence number the replica handed out (0 before its first write).</summary>
    public static long StateSeq(IReplica replica)
        => Query(replica, "SELECT coalesce(max(seq), 0) FROM __liblim_state", r => r.GetInt64(0)).Single();

    /// <summary>The replica's clock: the ticks of the last timestamp it issued or received.</summary>
    public static long StateClock(IReplica replica)
        => Query(replica, "SELECT clock FROM __liblim_state", r => r.GetInt64(0)).Single();

    public static List<string> ColumnsWithOwnClock(Meta meta)
        => meta.ColumnClocks is null ? [] : [.. JsonSerializer.Deserialize<Dictionary<string, string>>(meta.ColumnClocks)!.Keys.Order()];

    private static List<T> Query<T>(IReplica replica, string sql, Func<DbDataReader, T> read)
    {
        // The context's own connection, used directly: plain ADO.NET, not EF's commands.
        using var db = replica.Open();
        var connection = db.Database.GetDbConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
