using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>Reads Liblim's shadow tables with plain SQL, as an operator would.</summary>
public static class ShadowRows
{
    public sealed record Meta(string Table, string Key, long Seq, string Clock, string? ColumnClocks, string? AddTags, string? Tombstones, string? DeadValues);

    public static List<Meta> Rows(SqliteReplica replica)
    {
        using var c = new SqliteConnection($"Data Source={replica.Path}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT table_name, row_key, seq, clock, column_clocks, add_tags, tombstones, dead_values FROM __liblim_rows ORDER BY seq";
        using var r = cmd.ExecuteReader();
        var rows = new List<Meta>();
        while (r.Read())
        {
            rows.Add(new Meta(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)));
        }

        return rows;
    }

    public static Meta? Row(SqliteReplica replica, string table, Guid id)
        => Rows(replica).SingleOrDefault(m => m.Table == table && m.Key == $"[\"{id}\"]");

    public static int Count(SqliteReplica replica) => Rows(replica).Count;

    public static List<long> Seqs(SqliteReplica replica) => [.. Rows(replica).Select(r => r.Seq)];

    public static long StateSeq(SqliteReplica replica)
    {
        using var c = new SqliteConnection($"Data Source={replica.Path}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT coalesce(max(seq), 0) FROM __liblim_state";
        return (long)cmd.ExecuteScalar()!;
    }

    public static List<string> ColumnsWithOwnClock(Meta meta)
        => meta.ColumnClocks is null ? [] : [.. JsonSerializer.Deserialize<Dictionary<string, string>>(meta.ColumnClocks)!.Keys.Order()];
}
