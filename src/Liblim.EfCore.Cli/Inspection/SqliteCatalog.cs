using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Cli.Inspection;

/// <summary>
/// A SQLite file, opened read-only. Its catalog gives each column's declared type only, so values are read by the type's
/// affinity (integers, reals, text, blobs), except text columns that hold nothing but GUIDs as EF stores them
/// (<see cref="FindGuidColumnsAsync"/>).
/// </summary>
internal sealed class SqliteCatalog : ReplicaCatalog
{
    // EF Core stores a Guid in SQLite as its "D" form in upper case.
    private static readonly string GuidPattern = string.Join("-", new[] { 8, 4, 4, 4, 12 }.Select(n => string.Concat(Enumerable.Repeat("[0-9A-F]", n))));

    private SqliteCatalog(DatabaseAddress address, SqliteConnection connection)
        : base(address, connection)
    {
    }

    public static new async Task<ReplicaCatalog> OpenAsync(DatabaseAddress address, CancellationToken ct)
    {
        if (!File.Exists(address.Value))
        {
            throw new CliException(Directory.Exists(address.Value) ? $"{address.Value} is a folder, not a SQLite file" : $"no such file: {address.Value}");
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = address.Value,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        var catalog = new SqliteCatalog(address, connection);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            var found = false;
            await catalog.ReadAsync("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name", _ => found = true, ct, ("$name", StateTable)).ConfigureAwait(false);
            return found ? catalog : throw NotLiblim(address);
        }
        catch (SqliteException e)
        {
            await catalog.DisposeAsync().ConfigureAwait(false);
            throw new CliException(e.SqliteErrorCode == 26 ? $"{address.Value} is not a SQLite database" : $"cannot read {address.Value}: {e.Message}", e);
        }
        catch
        {
            await catalog.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<InspectedSchema> ReadSchemaAsync(CancellationToken ct)
    {
        var columns = new List<(string Table, string Column, string Type, int Pk, int Hidden)>();
        await ReadAsync(
            "SELECT m.name, p.name, p.type, p.pk, p.hidden FROM sqlite_master AS m JOIN pragma_table_xinfo(m.name) AS p " +
            "WHERE m.type = 'table' ORDER BY m.name, p.cid",
            r => columns.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt32(4))), ct).ConfigureAwait(false);
        var tables = new List<InspectedTable>();
        foreach (var table in columns.GroupBy(c => c.Table))
        {
            if (!MetadataColumns.All(m => table.Any(c => c.Column == m)))
            {
                continue;
            }

            tables.Add(new InspectedTable(table.Key, table.Key, null, [.. table
                .Where(c => c.Hidden == 0 && !MetadataColumns.Contains(c.Column)) // hidden: generated columns, computed on every replica
                .Select(c => new InspectedColumn(c.Column, c.Type, c.Type, ByAffinity(c.Type), c.Pk > 0 ? c.Pk : null))]));
        }

        return new InspectedSchema(tables, DefaultSchema: null);
    }

    public override async Task<GuidColumns> FindGuidColumnsAsync(InspectedSchema schema, bool keysOnly, CancellationToken ct)
    {
        var guids = new HashSet<(string, string)>();
        var others = new HashSet<(string, string)>();
        foreach (var table in schema.Tables)
        {
            var text = table.Columns.Where(c => c.ClrType == typeof(string) && (!keysOnly || c.KeyOrder is not null)).ToList();
            if (text.Count == 0)
            {
                continue;
            }

            // Per column: whether it holds a value that is not a GUID, and whether it holds any value. Each stops at the first
            // row that answers it: at once for a column of other text.
            var quotedTable = Quote(table.TableName);
            var probes = text.SelectMany(c => new[]
            {
                $"EXISTS (SELECT 1 FROM {quotedTable} WHERE {Quote(c.Name)} IS NOT NULL AND {Quote(c.Name)} NOT GLOB $guid)",
                $"EXISTS (SELECT 1 FROM {quotedTable} WHERE {Quote(c.Name)} IS NOT NULL)",
            });
            var answers = new List<bool>();
            await ReadAsync($"SELECT {string.Join(", ", probes)}", r =>
            {
                for (var i = 0; i < r.FieldCount; i++)
                {
                    answers.Add(r.GetInt64(i) != 0);
                }
            }, ct, ("$guid", GuidPattern)).ConfigureAwait(false);

            // A table whose data rows are all gone says nothing; a single-GUID key kept in __liblim_rows is marked as such (RowKeyBytes).
            var keptGuidKeys = false;
            if (table.KeyColumns.Count() == 1 && text.Contains(table.KeyColumns.Single()))
            {
                await ReadAsync("SELECT 1 FROM __liblim_rows WHERE table_name = $table AND substr(row_key, 1, 1) = x'FF' LIMIT 1",
                    _ => keptGuidKeys = true, ct, ("$table", table.Name)).ConfigureAwait(false);
            }

            for (var i = 0; i < text.Count; i++)
            {
                var (other, any) = (answers[2 * i], answers[2 * i + 1]);
                if (other)
                {
                    others.Add((table.Name, text[i].Name));
                }
                else if (any || (keptGuidKeys && text[i].KeyOrder is not null))
                {
                    guids.Add((table.Name, text[i].Name));
                }
            }
        }

        return new GuidColumns(guids, others);
    }

    public override void UseProvider(DbContextOptionsBuilder builder) => builder.UseSqlite(Connection);

    /// <summary>The type a column's values are read as, from its declared type by SQLite's rules of type affinity.</summary>
    private static Type ByAffinity(string declared)
    {
        var type = declared.ToUpperInvariant();
        return type.Contains("INT", StringComparison.Ordinal) ? typeof(long)
            : type.Contains("CHAR", StringComparison.Ordinal) || type.Contains("CLOB", StringComparison.Ordinal) || type.Contains("TEXT", StringComparison.Ordinal) ? typeof(string)
            : type.Length == 0 || type.Contains("BLOB", StringComparison.Ordinal) ? typeof(byte[])
            : type.Contains("REAL", StringComparison.Ordinal) || type.Contains("FLOA", StringComparison.Ordinal) || type.Contains("DOUB", StringComparison.Ordinal) ? typeof(double)
            : typeof(string); // NUMERIC affinity: read as its text
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"SQLite {Address.Value}");
}
