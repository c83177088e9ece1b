using System.Globalization;

namespace Liblim.EfCore;

/// <summary>
/// One column of one row that a merge on this replica decided between two values written concurrently (neither writer
/// had seen the other's write): the later write won and the other value is gone from the row, kept here
/// (docs/semantics.md, "Conflicts"). <c>db.Liblim().GetConflictsAsync()</c> lists them; <c>RestoreAsync</c> writes the
/// losing value back.
/// </summary>
public sealed class LiblimConflict
{
    internal LiblimConflict(long id, string table, Type? entityType, string keyText, IReadOnlyList<object?> key, string column, string? property,
        ConflictValue? winner, ConflictValue loser, DateTimeOffset decidedAt)
    {
        Id = id;
        Table = table;
        EntityType = entityType;
        KeyText = keyText;
        Key = key;
        Column = column;
        Property = property;
        Winner = winner;
        Loser = loser;
        DecidedAt = decidedAt;
    }

    /// <summary>The replicated table ("schema.table", or "table").</summary>
    public string Table { get; }

    /// <summary>The CLR type of the entity the table's rows map to (the root of a hierarchy); null when this model lacks the table.</summary>
    public Type? EntityType { get; }

    /// <summary>The row's key as the protocol writes it: the canonical JSON array of its key values.</summary>
    public string KeyText { get; }

    /// <summary>The row's key values, in the key's column order, as the model types them.</summary>
    public IReadOnlyList<object?> Key { get; }

    /// <summary>The column decided.</summary>
    public string Column { get; }

    /// <summary>The property mapped to the column; null when the model has none.</summary>
    public string? Property { get; }

    /// <summary>The value the row keeps: the later write; null when the row was deleted by a delete that had not seen the loser.</summary>
    public ConflictValue? Winner { get; }

    /// <summary>Whether the losing write lost to a concurrent delete of the row (then there is no <see cref="Winner"/>).</summary>
    public bool LostToDelete => Winner is null;

    /// <summary>The value that lost.</summary>
    public ConflictValue Loser { get; }

    /// <summary>When this replica decided it.</summary>
    public DateTimeOffset DecidedAt { get; }

    /// <summary>The entry's number in this database's journal: later entries have greater numbers.</summary>
    public long Id { get; }

    /// <summary>The key as one value, for a key of one column.</summary>
    /// <exception cref="InvalidOperationException">The key has several columns, or is not a <typeparamref name="T"/>.</exception>
    public T GetKey<T>()
        => Key is [T value] ? value : throw new InvalidOperationException($"The key {KeyText} of '{Table}' is not one {typeof(T).Name}.");

    /// <inheritdoc />
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture,
            $"{EntityType?.Name ?? Table} {KeyText} {Property ?? Column}: {(Winner is null ? "the row's delete" : Winner.ToString())} won over {Loser}, decided {DecidedAt:u}");
}

/// <summary>One side of a conflict: a value and the write that set it.</summary>
/// <param name="Json">The value as canonical JSON.</param>
/// <param name="Value">The value as the model types it (null when the model lacks the column, or for a null).</param>
/// <param name="Timestamp">The timestamp of the write that set it.</param>
public sealed record ConflictValue(string Json, object? Value, HybridTimestamp Timestamp)
{
    /// <summary>The node that wrote it.</summary>
    public Guid Node => Timestamp.Node;

    /// <summary>When it was written, by its writer's clock.</summary>
    public DateTimeOffset WrittenAt => Timestamp.PhysicalTime;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Json} (node {Node:N}, {WrittenAt:u})");
}

/// <summary>Which journal entries <c>db.Liblim().GetConflictsAsync()</c> returns: each filter applies when set; newest first.</summary>
public sealed record ConflictQuery
{
    /// <summary>The entity type of the rows (any type mapped to their table); null: every table.</summary>
    public Type? EntityType { get; init; }

    /// <summary>The row's key: its value, or for a composite key an <c>object[]</c> of its values in key order; null: every row. Needs <see cref="EntityType"/>.</summary>
    public object? Key { get; init; }

    /// <summary>Only conflicts decided at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only conflicts decided before this instant.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>How many of the matching entries, newest first, to skip.</summary>
    public int Skip { get; init; }

    /// <summary>How many entries to return at most (default 100).</summary>
    public int Take { get; init; } = 100;
}
