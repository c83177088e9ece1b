namespace Liblim.EfCore.Cli.Inspection;

/// <summary>
/// What a database's catalog says of its replicated tables: the tables that have Liblim's two row metadata columns, with
/// their key and value columns and the CLR type each column's values are read as. The command builds its EF model from
/// this, in place of the app's.
/// </summary>
/// <param name="Tables">The replicated tables, by replica name.</param>
/// <param name="DefaultSchema">The schema of Liblim's own tables when it is not the connection's default; else null.</param>
internal sealed record InspectedSchema(IReadOnlyList<InspectedTable> Tables, string? DefaultSchema)
{
    public InspectedTable? Find(string name) => Tables.FirstOrDefault(t => t.Name == name);

    /// <summary>
    /// This schema with each column read as the same column of <paramref name="other"/> is, where this database can hold
    /// that type's values in the column's kind of storage: a SQLite schema takes the exact types of a PostgreSQL one, so
    /// that both read the same values as the same canonical JSON (a GUID, a boolean, a time held as text or an integer).
    /// </summary>
    public InspectedSchema WithTypesFrom(InspectedSchema other) => this with
    {
        Tables = [.. Tables.Select(t => other.Find(t.Name) is not { } exact ? t : t with
        {
            Columns = [.. t.Columns.Select(c => exact.Columns.FirstOrDefault(e => e.Name == c.Name) is { } e && Holds(c.ClrType, e.ClrType) ? c with { ClrType = e.ClrType } : c)],
        })],
    };

    /// <summary>This schema with the given text columns read as GUIDs.</summary>
    public InspectedSchema WithGuids(IReadOnlySet<(string Table, string Column)> columns) => this with
    {
        Tables = [.. Tables.Select(t => t with
        {
            Columns = [.. t.Columns.Select(c => c.ClrType == typeof(string) && columns.Contains((t.Name, c.Name)) ? c with { ClrType = typeof(Guid) } : c)],
        })],
    };

    /// <summary>Whether values read as <paramref name="storage"/> (an affinity's type) can be read as <paramref name="type"/>.</summary>
    private static bool Holds(Type storage, Type type)
        => storage == typeof(long) ? type == typeof(bool) || type == typeof(short) || type == typeof(int) || type == typeof(long)
            : storage == typeof(string) ? type == typeof(Guid) || type == typeof(DateTime) || type == typeof(DateOnly) || type == typeof(TimeOnly)
                                          || type == typeof(TimeSpan) || type == typeof(decimal) || type == typeof(string)
            : storage == typeof(double) ? type == typeof(float) || type == typeof(double)
            : storage == type;
}

/// <summary>A replicated table as the database has it.</summary>
/// <param name="Name">The name replicas use: "schema.table", or "table" in the default schema (as the app's model names it).</param>
/// <param name="TableName">The table's name in the database.</param>
/// <param name="Schema">Its schema, when the name is qualified by one.</param>
/// <param name="Columns">Key and value columns in the table's order, without Liblim's metadata columns and computed columns.</param>
internal sealed record InspectedTable(string Name, string TableName, string? Schema, IReadOnlyList<InspectedColumn> Columns)
{
    public IEnumerable<InspectedColumn> KeyColumns => Columns.Where(c => c.KeyOrder is not null).OrderBy(c => c.KeyOrder);
}

/// <summary>A column of a replicated table.</summary>
/// <param name="Name">The column name.</param>
/// <param name="StoreType">The type the database declares for it (SQLite: as written; PostgreSQL: its formatted type).</param>
/// <param name="TypeName">The type's short name (SQLite: the declared type; PostgreSQL: the type's catalog name, such as <c>int4</c>).</param>
/// <param name="ClrType">The type its values are read as (never a nullable type).</param>
/// <param name="KeyOrder">Its place in the primary key, from 1; null when not part of it.</param>
internal sealed record InspectedColumn(string Name, string StoreType, string TypeName, Type ClrType, int? KeyOrder);
