using System.Data.Common;
using System.Text.Json;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// Reads Liblim's shadow tables with plain SQL, as an operator would (the same SQL on SQLite and PostgreSQL), and gives
/// metadata rows in their logical text forms (full timestamps, key text), expanded from the stored compact form.
/// </summary>
public static class ShadowRows
{
    public sealed record Meta(string Table, string Key, long Seq, string Clock, string? ColumnClocks, string? AddTags, string? Tombstones, string? KeptValues, string? Source = null);

    public static List<Meta> Rows(IReplica replica) => Rows(replica.Open);

    /// <summary>Every row's metadata in the database a context opens: its rows of <c>__liblim_rows</c> and the metadata shown rows keep in their tables.</summary>
    public static List<Meta> Rows(Func<DbContext> replica)
    {
        var nodes = new NodeNumbers();
        foreach (var (number, node) in Nodes(replica))
        {
            nodes.Add(number, node);
        }

        var separate = Query(replica, "SELECT table_name, row_key, seq, clock, column_clocks, add_tags, tombstones, kept_values, source FROM __liblim_rows ORDER BY seq",
                r => new StoredShadowRow
                {
                    TableName = r.GetString(0), RowKey = r.GetFieldValue<byte[]>(1), Seq = r.GetInt64(2), Clock = r.GetString(3),
                    ColumnClocks = r.IsDBNull(4) ? null : r.GetString(4), AddTags = r.IsDBNull(5) ? null : r.GetString(5),
                    Tombstones = r.IsDBNull(6) ? null : r.GetString(6), KeptValues = r.IsDBNull(7) ? null : r.GetString(7),
                    Source = r.IsDBNull(8) ? null : Convert.ToInt32(r.GetValue(8)),
                })
            .Select(stored => CompactShadowRow.Expand(stored, nodes));
        var rows = separate.Concat(InRow(replica, nodes))
            .Select(m => new Meta(m.Table, m.Key, m.Seq, m.Clock, m.ColumnClocks, m.AddTags, m.Tombstones, m.KeptValues, m.Source))
            .OrderBy(m => m.Seq)
            .ToList();

        // A row's metadata is in one place only: its data row or __liblim_rows, never both.
        var twice = rows.GroupBy(m => (m.Table, m.Key)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Table} {g.Key.Key}").ToList();
        Assert.True(twice.Count == 0, $"The metadata of {string.Join(", ", twice)} is both in its data row and in __liblim_rows.");
        return rows;
    }

    /// <summary>The metadata shown rows keep in their own tables: every replicated table's rows with a feed position.</summary>
    private static List<ShadowRow> InRow(Func<DbContext> replica, NodeNumbers nodes)
    {
        using var db = replica();
        var rows = new List<ShadowRow>();
        foreach (var table in ReplicationModel.For(db.Model).Tables)
        {
            var sql = db.GetService<Microsoft.EntityFrameworkCore.Storage.ISqlGenerationHelper>();
            var keys = table.KeyColumns;
            rows.AddRange(Query(replica,
                $"SELECT {string.Join(", ", keys.Select(k => sql.DelimitIdentifier(k.Name)))}, {sql.DelimitIdentifier(table.SeqColumn)}, {sql.DelimitIdentifier(table.ClocksColumn)} " +
                $"FROM {sql.DelimitIdentifier(table.TableName, table.Schema)} WHERE {sql.DelimitIdentifier(table.SeqColumn)} IS NOT NULL",
                r =>
                {
                    var values = keys.Select((k, i) => k.Read(r, i)).ToArray();
                    return InRowClocks.Expand(table.Name, table.EncodeKey(values), r.GetInt64(keys.Count), r.GetString(keys.Count + 1), nodes);
                }));
        }

        return rows;
    }

    /// <summary>The rows of <c>__liblim_nodes</c>: each node id the replica has stored, with its local number.</summary>
    public static List<(int Number, string Node)> Nodes(IReplica replica) => Nodes(replica.Open);

    /// <summary>The rows of <c>__liblim_nodes</c> of the database a context opens.</summary>
    public static List<(int Number, string Node)> Nodes(Func<DbContext> replica)
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

    private static List<T> Query<T>(IReplica replica, string sql, Func<DbDataReader, T> read) => Query(replica.Open, sql, read);

    private static List<T> Query<T>(Func<DbContext> replica, string sql, Func<DbDataReader, T> read)
    {
        // The context's own connection, used directly: plain ADO.NET, not EF's commands.
        using var db = replica();
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
