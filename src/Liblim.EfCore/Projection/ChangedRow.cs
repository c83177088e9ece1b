using System.Globalization;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore;

/// <summary>A row that a merge changed, so that an app can refresh what shows it.</summary>
/// <param name="Table">The replicated table.</param>
/// <param name="Key">The canonical key text: a JSON array of the key's values.</param>
/// <param name="Change">What happened to the row.</param>
/// <remarks>Two changed rows are equal when their table, key and change are.</remarks>
public sealed record ChangedRow(string Table, string Key, RowChange Change)
{
    /// <summary>The CLR type of the entity the table stores (the root type of a hierarchy); null for a table this context does not map.</summary>
    public Type? EntityType { get; init; }

    private ReplicatedTable? _table;
    private IReadOnlyList<object?>? _keyValues;

    /// <summary>The key's values, of the types of the entity's key properties, in key order; empty for a table this context does not map.</summary>
    public IReadOnlyList<object?> KeyValues
    {
        get => _keyValues ??= _table?.DecodeKey(Key) ?? []; // decoded when asked for: a sync reports every row it changed
        init => _keyValues = value;
    }

    /// <summary>
    /// The columns whose shown values changed, by column name in the table's order: every value column for a row that
    /// appeared, those that differ for an update, none for a row deleted, held back or evicted.
    /// </summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>The value of a key of one property, as <typeparamref name="T"/>: <c>change.GetKey&lt;Guid&gt;()</c>.</summary>
    /// <exception cref="InvalidOperationException">The key has several properties (use <see cref="KeyValues"/>), or is not a <typeparamref name="T"/>.</exception>
    public T GetKey<T>() => KeyValues is [T value]
        ? value
        : throw new InvalidOperationException(KeyValues.Count == 1
            ? $"The key of {Table} {Key} is a {KeyValues[0]?.GetType().Name ?? "null"}, not a {typeof(T).Name}."
            : $"The key of {Table} {Key} has {KeyValues.Count} values: read them from KeyValues.");

    /// <summary>For example <c>TodoItem ["6f1c…"] Updated (Title, Done)</c>.</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{EntityType?.Name ?? Table} {Key} {Change}{(Columns.Count == 0 ? "" : $" ({string.Join(", ", Columns)})")}");

    /// <inheritdoc />
    public bool Equals(ChangedRow? other) => other is not null && Table == other.Table && Key == other.Key && Change == other.Change;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Table, Key, Change);

    /// <summary>A changed row of a replicated table, with its entity type and typed key.</summary>
    internal static ChangedRow Of(ReplicatedTable table, string key, RowChange change, IReadOnlyList<string>? columns = null)
        => new(table.Name, key, change) { EntityType = table.EntityType, _table = table, Columns = columns ?? [] };
}

/// <summary>What a merge did to a row.</summary>
public enum RowChange
{
    /// <summary>The row's replication state changed but it was and stays deleted.</summary>
    None = 0,

    /// <summary>The row appeared (it was inserted, or it was held back and is now shown).</summary>
    Inserted = 1,

    /// <summary>Some of the row's columns changed.</summary>
    Updated = 2,

    /// <summary>The row was deleted.</summary>
    Deleted = 3,

    /// <summary>
    /// The row exists but is held back, not shown in its table: a row it references is missing, deleted or held back,
    /// or another row keeps one of its unique values. Its values are kept; <c>db.Liblim().GetHeldBackRowsAsync()</c>
    /// says why, and it appears once that is resolved.
    /// </summary>
    HeldBack = 4,

    /// <summary>
    /// The row left what this replica may hold of the server it syncs with (the server's scope for it, or a write of this
    /// replica's the server refused): it was removed here, as if it had never been here, and deleted nowhere.
    /// </summary>
    Evicted = 5,
}
