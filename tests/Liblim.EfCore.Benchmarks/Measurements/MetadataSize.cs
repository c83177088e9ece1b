using System.Globalization;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.Data.Sqlite;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 6: the storage Liblim's shadow tables take in the SQLite file, against the data table's. The SQLite
/// build EF ships has no <c>dbstat</c> table, so each side is measured as the size of a vacuumed copy of the file
/// that holds only that side's tables and indexes, less the size of the same copy of an empty database: densely
/// packed pages, indexes included. Also the average text length of each metadata column, to show where the bytes go.
/// </summary>
internal static class MetadataSize
{
    private static readonly Lazy<(long Data, long Shadow)> EmptySizes = new(() =>
    {
        var empty = SqliteFiles.CreateReplicated("metadata-empty");
        try
        {
            return (SizeWithout(empty, shadow: true), SizeWithout(empty, shadow: false));
        }
        finally
        {
            SqliteFiles.Delete(empty);
        }
    });

    public sealed record Result(long DataBytes, long ShadowBytes, int Rows, string ColumnLengths)
    {
        public double Ratio => (double)ShadowBytes / DataBytes;

        public double DataPerRow => (double)DataBytes / Rows;

        public double ShadowPerRow => (double)ShadowBytes / Rows;
    }

    public static Result Measure(string path, int rows)
    {
        SqliteFiles.Checkpoint(path);
        var data = SizeWithout(path, shadow: true) - EmptySizes.Value.Data;
        var shadow = SizeWithout(path, shadow: false) - EmptySizes.Value.Shadow;
        using var connection = SqliteFiles.OpenRaw(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info('__liblim_rows') ORDER BY cid";
        var names = new List<string>();
        using (var columns = command.ExecuteReader())
        {
            while (columns.Read())
            {
                names.Add(columns.GetString(0));
            }
        }

        command.CommandText = $"SELECT {string.Join(", ", names.Select(n => $"avg(length(coalesce(CAST(\"{n}\" AS TEXT), '')))"))} FROM __liblim_rows";
        using var reader = command.ExecuteReader();
        reader.Read();
        var lengths = string.Join(", ", names.Select((n, i) => $"{n} {(reader.IsDBNull(i) ? 0 : reader.GetDouble(i)).ToString("0", CultureInfo.InvariantCulture)}"));
        return new Result(data, shadow, rows, lengths);
    }

    /// <summary>The size of a vacuumed copy of the database without Liblim's shadow tables, or without the data table.</summary>
    private static long SizeWithout(string path, bool shadow)
    {
        var copy = SqliteFiles.NewPath("metadata-copy");
        try
        {
            using (var connection = SqliteFiles.OpenRaw(path))
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "VACUUM INTO @copy";
                command.Parameters.AddWithValue("@copy", copy);
                command.ExecuteNonQuery();
            }

            using (var connection = new SqliteConnection(SqliteFiles.ConnectionString(copy)))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'";
                var tables = new List<string>();
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        tables.Add(reader.GetString(0));
                    }
                }

                var drop = tables.Where(t => shadow ? t.StartsWith("__liblim", StringComparison.Ordinal) : t == BenchDb.TableName);
                command.CommandText = string.Concat(drop.Select(t => $"DROP TABLE \"{t}\";")) + "VACUUM;";
                command.ExecuteNonQuery();
                command.CommandText = "PRAGMA page_count";
                var pages = (long)command.ExecuteScalar()!;
                command.CommandText = "PRAGMA page_size";
                return pages * (long)command.ExecuteScalar()!;
            }
        }
        finally
        {
            SqliteFiles.Delete(copy);
        }
    }
}
