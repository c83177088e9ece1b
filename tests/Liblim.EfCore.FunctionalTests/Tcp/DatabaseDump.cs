using System.Text;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// Every row of every table of a replica's SQLite file, data and Liblim's own, as text; of <c>__liblim_peers</c>, the
/// positions and owner of each peer, but not how its last session went (a failed session records its error there), and
/// no peer recorded with nothing else.
/// </summary>
public static class DatabaseDump
{
    public static string Of(SqliteReplica replica)
    {
        using var connection = new SqliteConnection($"Data Source={replica.Path};Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var sb = new StringBuilder();
        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = table == "__liblim_peers"
                ? "SELECT peer_id, received_seq, sent_seq, read_head, owner FROM __liblim_peers WHERE received_seq <> 0 OR sent_seq <> 0 OR read_head <> 0 OR owner IS NOT NULL"
                : $"SELECT * FROM \"{table}\"";
            using var reader = select.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }

            rows.Sort(StringComparer.Ordinal);
            sb.Append("# ").AppendLine(table);
            foreach (var row in rows)
            {
                sb.AppendLine(row);
            }
        }

        return sb.ToString();
    }
}
