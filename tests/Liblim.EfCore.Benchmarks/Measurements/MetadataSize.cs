using System.Globalization;
using Liblim.EfCore.Benchmarks.Infrastructure;
using Liblim.EfCore.Benchmarks.Model;
using Microsoft.Data.Sqlite;

namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// Figure 6: the storage replication metadata takes in the SQLite file (Liblim's tables, and the two columns and the index
/// it keeps in the data table), against the data's. The SQLite build EF ships has no <c>dbstat</c> table, so the data is
/// measured as the size of a vacuumed copy of the file without Liblim's tables, columns and index, and the metadata as
/// the size of a vacuumed copy of the whole file less that; each less the same of an empty database: densely packed
/// pages, indexes included. Also the average text length of each metadata column, to show where the bytes go.
/// </summary>
internal static class MetadataSize
{
    private static readonly Lazy<(long Data, long All)> EmptySizes = new(() =>
    {
        var empty = SqliteFiles.CreateReplicated("metadata-empty");
        try
        {
            return (VacuumedSize(empty, dataOnly: true), VacuumedSize(empty, dataOnly: false));
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
        var data = VacuumedSize(path, dataOnly: true) - EmptySizes.Value.Data;
        var all = VacuumedSize(path, dataOnly: false) - EmptySizes.Value.All;
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
        string lengths;
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            lengths = "__liblim_rows (" + string.Join(", ", names.Select((n, i) => $"{n} {(reader.IsDBNull(i) ? 0 : reader.GetDouble(i)).ToString("0", CultureInfo.InvariantCulture)}")) + ")";
        }

        command.CommandText = $"SELECT count(*), avg(length(\"{FloorDb.ClocksColumn}\")) FROM \"{BenchDb.TableName}\" WHERE \"{FloorDb.SeqColumn}\" IS NOT NULL";
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            lengths = $"{BenchDb.TableName}.{FloorDb.ClocksColumn} {(reader.IsDBNull(1) ? 0 : reader.GetDouble(1)).ToString("0", CultureInfo.InvariantCulture)} " +
                      $"({reader.GetInt64(0).ToString("N0", CultureInfo.InvariantCulture)} rows); " + lengths;
        }

        return new Result(data, all - data, rows, lengths);
    }

    /// <summary>The size of a vacuumed copy of the database: as it is, or without Liblim's tables and the metadata columns and index of the data table.</summary>
    private static long VacuumedSize(string path, bool dataOnly)
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
                if (dataOnly)
                {
                    command.CommandText = "SELECT type, name FROM sqlite_master WHERE (type = 'table' AND name LIKE '\\_\\_liblim%' ESCAPE '\\') " +
                                          $"OR (type = 'index' AND tbl_name = '{BenchDb.TableName}' AND sql LIKE '%{FloorDb.SeqColumn}%')";
                    var drops = new List<string>();
                    using (var reader = command.ExecuteReader())
                    {
                        while (reader.Read())
                        {
                            drops.Add($"DROP {reader.GetString(0).ToUpperInvariant()} \"{reader.GetString(1)}\";");
                        }
                    }

                    command.CommandText = string.Concat(drops) +
                                          $"ALTER TABLE \"{BenchDb.TableName}\" DROP COLUMN \"{FloorDb.SeqColumn}\"; " +
                                          $"ALTER TABLE \"{BenchDb.TableName}\" DROP COLUMN \"{FloorDb.ClocksColumn}\";";
                    command.ExecuteNonQuery();
                }

                command.CommandText = "VACUUM";
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
