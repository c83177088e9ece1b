using Liblim.EfCore.Crdt;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// A replicated table: the unit of replication. Every entity type mapped to it (a TPH hierarchy, owned types
/// in the owner's row) shares its rows, keys and columns.
/// </summary>
internal sealed class ReplicatedTable
{
    private readonly Dictionary<string, ReplicatedColumn> _byName;
    private readonly Type[] _keyTypes;
    private readonly string[] _valueNamesByName;

    public ReplicatedTable(string name, string tableName, string? schema, ReplicationKind kind,
        IReadOnlyList<ReplicatedColumn> keyColumns, IReadOnlyList<ReplicatedColumn> valueColumns)
    {
        Name = name;
        TableName = tableName;
        Schema = schema;
        Kind = kind;
        KeyColumns = keyColumns;
        ValueColumns = valueColumns;
        AllColumns = [.. keyColumns, .. valueColumns];
        ValueColumnsByName = [.. valueColumns.OrderBy(c => c.Name, StringComparer.Ordinal)];
        ValueNamesByName = _valueNamesByName = [.. ValueColumnsByName.Select(c => c.Name)];
        ValueNames = [.. valueColumns.Select(c => c.Name)];
        for (var i = 0; i < AllColumns.Count; i++)
        {
            AllColumns[i].Ordinal = i;
        }

        _byName = AllColumns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _keyTypes = [.. keyColumns.Select(c => c.Property.ClrType)];
    }

    /// <summary>The name replicas use for the table: "schema.table", or "table" without a schema.</summary>
    public string Name { get; }

    /// <summary>The table name in the database.</summary>
    public string TableName { get; }

    /// <summary>The schema in the database, if any.</summary>
    public string? Schema { get; }

    /// <summary>The column of a shown row's feed position (<see cref="RowMetadataNames.Seq"/>), as the model names it.</summary>
    public string SeqColumn { get; init; } = RowMetadataNames.Seq;

    /// <summary>The column of a shown row's clocks (<see cref="RowMetadataNames.Clocks"/>), as the model names it.</summary>
    public string ClocksColumn { get; init; } = RowMetadataNames.Clocks;

    /// <summary>How rows merge.</summary>
    public ReplicationKind Kind { get; }

    /// <summary>Primary key columns, in key order.</summary>
    public IReadOnlyList<ReplicatedColumn> KeyColumns { get; }

    /// <summary>Replicated non-key columns (computed columns excluded).</summary>
    public IReadOnlyList<ReplicatedColumn> ValueColumns { get; }

    /// <summary>The value columns in ordinal order of their names: the order of a row state's registers.</summary>
    public IReadOnlyList<ReplicatedColumn> ValueColumnsByName { get; }

    /// <summary>The names of <see cref="ValueColumns"/>, in their order.</summary>
    public IReadOnlyList<string> ValueNames { get; }

    /// <summary>The names of <see cref="ValueColumnsByName"/>.</summary>
    public IReadOnlyList<string> ValueNamesByName { get; }

    /// <summary>The registers of a row with a register for each value column, in the order of <see cref="ValueColumnsByName"/>: its map shares this table's names.</summary>
    public ColumnMap Registers(ColumnValue[] byName) => ColumnMap.FromSorted(_valueNamesByName, byName);

    /// <summary>Key columns, then value columns.</summary>
    public IReadOnlyList<ReplicatedColumn> AllColumns { get; }

    /// <summary>The display name of the entity type that owns the table's rows (the root of a hierarchy).</summary>
    public string EntityName { get; internal set; } = "";

    /// <summary>The CLR type of the root entity type whose rows the table stores.</summary>
    public Type? EntityType { get; internal set; }

    /// <summary>Foreign keys from this table to replicated tables, ordered by name.</summary>
    public IReadOnlyList<ReplicatedForeignKey> ForeignKeys { get; internal set; } = [];

    /// <summary>Foreign keys of replicated tables (this one too, for a self-reference) that reference this table.</summary>
    public IReadOnlyList<ReplicatedForeignKey> ReferencedBy { get; internal set; } = [];

    /// <summary>Unique indexes and alternate keys, ordered by name.</summary>
    public IReadOnlyList<ReplicatedUniqueIndex> UniqueIndexes { get; internal set; } = [];

    /// <summary>
    /// Whether the table has no replicated foreign key (either way) and no unique index: a row of it is shown exactly
    /// when it is alive, since nothing can hold it back and no row can wait for it.
    /// </summary>
    public bool IsUnconstrained => ForeignKeys.Count == 0 && ReferencedBy.Count == 0 && UniqueIndexes.Count == 0;

    /// <summary>Which row keeps a unique value that several rows hold.</summary>
    public UniqueConflictPolicy UniquePolicy { get; internal set; }

    /// <summary>Finds a column by name.</summary>
    public ReplicatedColumn? FindColumn(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// The column of a name expected at <paramref name="position"/> of <see cref="ValueColumnsByName"/> (the registers of a
    /// state of every value column are in that order): looked up by name only when it is not there.
    /// </summary>
    public ReplicatedColumn? FindColumn(string name, int position)
        => (uint)position < (uint)ValueColumnsByName.Count && string.Equals(ValueColumnsByName[position].Name, name, StringComparison.Ordinal)
            ? ValueColumnsByName[position]
            : FindColumn(name);

    /// <summary>The canonical key text of key values (model values, in key order).</summary>
    public string EncodeKey(ReadOnlySpan<object?> keyValues)
    {
        if (KeyColumns.Count == 1)
        {
            return KeyColumns[0].ToKeyJson(keyValues[0]);
        }

        var parts = new string[KeyColumns.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = KeyColumns[i].ToJson(keyValues[i]);
        }

        return "[" + string.Join(',', parts) + "]";
    }

    /// <summary>The canonical JSON of each value column of a row read by the table store (keys, then values).</summary>
    public Dictionary<string, string> ValuesToJson(object?[] row)
    {
        var json = new Dictionary<string, string>(ValueColumns.Count, StringComparer.Ordinal);
        for (var i = 0; i < ValueColumns.Count; i++)
        {
            json[ValueColumns[i].Name] = ValueColumns[i].ToJson(row[KeyColumns.Count + i]);
        }

        return json;
    }

    /// <summary>The key values (model values) of canonical key text.</summary>
    /// <exception cref="FormatException">The text is not a key of this table.</exception>
    public object?[] DecodeKey(string key)
    {
        var json = CanonicalJson.DecodeKeyElements(key, KeyColumns.Count);
        var values = new object?[json.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = KeyColumns[i].FromJson(json[i]);
            if (values[i] is null)
            {
                throw new FormatException($"Key column '{KeyColumns[i].Name}' of table '{Name}' cannot be null.");
            }
        }

        return values;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
