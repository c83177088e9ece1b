using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Liblim.EfCore.Cli.Inspection;

/// <summary>
/// A PostgreSQL database, read in read-only transactions (<c>default_transaction_read_only</c>). Its catalog gives each
/// column's exact type, so values are read as the app's model reads them.
/// </summary>
internal sealed class PostgresCatalog : ReplicaCatalog
{
    private readonly string _liblimSchema;
    private readonly bool _liblimInDefaultSchema;

    private PostgresCatalog(DatabaseAddress address, NpgsqlConnection connection, string liblimSchema, bool inDefaultSchema)
        : base(address, connection)
    {
        _liblimSchema = liblimSchema;
        _liblimInDefaultSchema = inDefaultSchema;
    }

    public static new async Task<ReplicaCatalog> OpenAsync(DatabaseAddress address, CancellationToken ct)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(address.Value);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"'{address.Display}' is not a PostgreSQL connection string: {e.Message}", e);
        }

        builder.Options = $"{builder.Options} -c default_transaction_read_only=on".Trim();
        builder.Pooling = false;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            string? schema = null;
            var inDefault = false;
            // Liblim's tables are in the app's default schema; a database holding several apps' takes the connection's.
            using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT n.nspname, n.nspname = current_schema() FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace " +
                $"WHERE c.relname = '{StateTable}' AND c.relkind IN ('r', 'p') ORDER BY 2 DESC, 1 LIMIT 1";
            using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    (schema, inDefault) = (reader.GetString(0), reader.GetBoolean(1));
                }
            }

            return schema is null ? throw NotLiblim(address) : new PostgresCatalog(address, connection, schema, inDefault);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new CliException($"cannot connect to {address.Display}: {FirstLine(e.Message)}", e);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<InspectedSchema> ReadSchemaAsync(CancellationToken ct)
    {
        var columns = new List<(string Schema, string Table, string Column, string StoreType, string TypeName, int? KeyOrder)>();
        await ReadAsync(
            "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), " +
            "       CASE WHEN t.typtype = 'd' THEN (SELECT b.typname FROM pg_type AS b WHERE b.oid = t.typbasetype) ELSE t.typname END, " +
            "       (SELECT k.ord FROM pg_index AS i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) " +
            "        WHERE i.indrelid = c.oid AND i.indisprimary AND k.attnum = a.attnum)::int " +
            "FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace " +
            "JOIN pg_attribute AS a ON a.attrelid = c.oid JOIN pg_type AS t ON t.oid = a.atttypid " +
            "WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' " +
            "  AND (SELECT count(*) FROM pg_attribute AS m WHERE m.attrelid = c.oid AND m.attname = ANY (@metadata) AND NOT m.attisdropped) = 2 " +
            "ORDER BY n.nspname, c.relname, a.attnum",
            r => columns.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetInt32(5))),
            ct, ("metadata", MetadataColumns)).ConfigureAwait(false);
        var tables = columns
            .GroupBy(c => (c.Schema, c.Table))
            .Select(t =>
            {
                // As the app's model names it: schema-qualified unless in the default schema, where Liblim's tables are too.
                var schema = _liblimInDefaultSchema && t.Key.Schema == _liblimSchema ? null : t.Key.Schema;
                return new InspectedTable(schema is null ? t.Key.Table : schema + "." + t.Key.Table, t.Key.Table, schema, [.. t
                    .Where(c => !MetadataColumns.Contains(c.Column))
                    .Select(c => new InspectedColumn(c.Column, c.StoreType, c.TypeName, ClrTypeOf(c.TypeName), c.KeyOrder))]);
            })
            .ToList();
        return new InspectedSchema(tables, _liblimInDefaultSchema ? null : _liblimSchema);
    }

    public override void UseProvider(DbContextOptionsBuilder builder) => builder.UseNpgsql(Connection);

    /// <summary>The type the app's model reads a column of this type as (Npgsql's default mapping).</summary>
    private static Type ClrTypeOf(string typeName) => typeName switch
    {
        "int2" => typeof(short),
        "int4" => typeof(int),
        "int8" => typeof(long),
        "bool" => typeof(bool),
        "uuid" => typeof(Guid),
        "numeric" => typeof(decimal),
        "float4" => typeof(float),
        "float8" => typeof(double),
        "bytea" => typeof(byte[]),
        "timestamptz" or "timestamp" => typeof(DateTime),
        "date" => typeof(DateOnly),
        "time" => typeof(TimeOnly),
        "interval" => typeof(TimeSpan),
        _ => typeof(string), // text, varchar, char(n), and anything else as its text
    };

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
