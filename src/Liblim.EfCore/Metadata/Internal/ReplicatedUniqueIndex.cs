namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// A unique index or alternate key of a replicated table (the primary key excluded). Rows whose columns hold
/// equal values, none of them null, compete for the values; the table's <see cref="UniqueConflictPolicy"/>
/// picks the one that is shown.
/// </summary>
internal sealed class ReplicatedUniqueIndex(string name, ReplicatedTable table, IReadOnlyList<ReplicatedColumn> columns)
{
    /// <summary>The index's (or constraint's) name.</summary>
    public string Name { get; } = name;

    /// <summary>The table.</summary>
    public ReplicatedTable Table { get; } = table;

    /// <summary>The indexed columns.</summary>
    public IReadOnlyList<ReplicatedColumn> Columns { get; } = columns;

    /// <summary>Its position among the table's unique indexes (ordered by name): the order in which holds are reported.</summary>
    public int Ordinal { get; internal set; }

    /// <summary>The text that rows holding the same values share (canonical JSON by column, key columns included); null when a column is null.</summary>
    public string? ValueKey(Func<ReplicatedColumn, string?> json)
    {
        var parts = new string[Columns.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            var text = json(Columns[i]);
            if (text is null or "null")
            {
                return null;
            }

            parts[i] = text;
        }

        return "[" + string.Join(',', parts) + "]";
    }

    /// <summary>The value key of a data row (model values of all columns); null when a column is null.</summary>
    public string? ValueKey(object?[] row)
        => ValueKey(c => row[c.Ordinal] is { } value ? c.ToJson(value) : null);

    /// <summary>The identity of the group of rows holding the values: table, index and values.</summary>
    public string GroupKey(string valueKey) => Table.Name + "\n" + Name + "\n" + valueKey;

    /// <inheritdoc />
    public override string ToString() => $"{Name} on {Table}";
}
