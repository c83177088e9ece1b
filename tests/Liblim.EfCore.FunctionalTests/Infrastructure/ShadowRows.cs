using System.Data.Common;
using System.Text.Json;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// Reads Liblim's shadow tables with plain SQL, as an operator would (the same SQL on SQLite and PostgreSQL), and gives
/// metadata rows in their logical text forms (full timestamps, key text), expanded from the stored compact form.
/// </summary>
public static class ShadowRows
{
    public sealed record Meta(string Table, string Key, long Seq, string Clock, string? ColumnClocks, string? AddTags, string? Tombstones, string? KeptValues, string? Source = null);

    public static List<Meta> Rows(IReplica replica)
    {
        var nodes = new NodeNumbers();
        foreach (var (number, node) in Nodes(replica))
        {
            nodes.Add(number, node);
        }

        return Query(replica, "SELECT table_name, row_key, seq, clock, column_clocks, add_tags, tombstones, kept_values, source FROM __liblim_rows ORDER BY seq",
                r => new StoredShadowRow
                {
                    TableName = r.GetString(0), RowKey = r.GetFieldValue<byte[]>(1), Seq = r.GetInt64(2), Clock = r.GetString(3),
                    ColumnClocks = r.IsDBNull(4) ? null : r.GetString(4), AddTags = r.IsDBNull(5) ? null : r.GetString(5),
                    Tombstones = r.IsDBNull(6) ? null : r.GetString(6), KeptValues = r.IsDBNull(7) ? null : r.GetString(7),
                    Source = r.IsDBNull(8) ? null : Convert.ToInt32(r.GetValue(8)),
                })
            .Select(stored => CompactShadowRow.Expand(stored, nodes))
            .Select(m => new Meta(m.Table, m.Key, m.Seq, m.Clock, m.ColumnClocks, m.AddTags, m.Tombstones, m.KeptValues, m.Source))
            .ToList();
    }

    /// <summary>The rows of <c>__liblim_nodes</c>: each node id the replica has stored, with its local number.</summary>
    public static List<(int Number, string Node)> Nodes(IReplica replica)
        => Query(replica, "SELECT number, node_id FROM __liblim_nodes ORDER BY number", r => (Convert.ToInt32(r.GetValue(0)), r.GetString(1)));

    public static Meta? Row(IReplica replica, string table, Guid id)
        => Rows(replica).SingleOrDefault(m => m.Table == table && m.Key == $"[\"{id}\"]");

    public static int Count(IReplica replica) => Rows(replica).Count;

    public static List<long> Seqs(IReplica replica) => [.. Rows(replica).Select(r => r.Seq)];

    /// <summary>The rows of <c>__liblim_peers</c>: each peer the replica has recorded, with its watermark and fence.</summary>
    public static List<(string Peer, long Received, long? Sent)> Peers(IReplica replica)
        => Query(replica, "SELECT peer_id, received_seq, sent_seq FROM __liblim_peers ORDER BY peer_id", r => (r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? (long?)null : r.GetInt64(2)));

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
