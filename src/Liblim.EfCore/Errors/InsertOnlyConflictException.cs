namespace Liblim.EfCore;

/// <summary>
/// Two nodes inserted different rows with the same key into an insert-only (grow-only) table. Such rows are
/// never updated, so no write can win: the batch that carried the second row was not applied. Insert-only
/// tables need keys that are unique across nodes, such as a <see cref="Guid"/>.
/// </summary>
public sealed class InsertOnlyConflictException : LiblimException
{
    /// <summary>Creates the exception.</summary>
    public InsertOnlyConflictException(string table, string key, IReadOnlyList<string> columns, Guid firstNode, Guid secondNode)
        : base($"Insert-only table '{table}' holds two different rows with key {key}, inserted by nodes {firstNode} and {secondNode}; " +
               $"they differ in {string.Join(", ", columns)}. Rows of an insert-only table are never updated, so this conflict " +
               "cannot be merged. Nothing from this batch was applied. Use keys unique across nodes (for example a Guid).")
    {
        Table = table;
        Key = key;
        Columns = columns;
    }

    /// <summary>The table.</summary>
    public string Table { get; }

    /// <summary>The canonical text of the conflicting key.</summary>
    public string Key { get; }

    /// <summary>The columns whose values differ.</summary>
    public IReadOnlyList<string> Columns { get; }
}
