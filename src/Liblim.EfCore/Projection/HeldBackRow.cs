namespace Liblim.EfCore;

/// <summary>Why a row that exists is held back, not shown in its table.</summary>
public enum HoldBackReason
{
    /// <summary>A row it references has not arrived here (yet). It appears when that row does.</summary>
    MissingParent = 0,

    /// <summary>A row it references was deleted (on some replica, while this row was added or changed on another). It appears if that row is inserted again, or once its reference is changed.</summary>
    DeletedParent = 1,

    /// <summary>A row it references exists but is itself held back. It appears when that row does.</summary>
    ParentHeldBack = 2,

    /// <summary>Another row keeps its value of a unique index. It appears when that row gives the value up (changes it or is deleted), or when this row's value is changed.</summary>
    UniqueConflict = 3,
}

/// <summary>
/// A row held back: it exists in the replicated state (nothing of it is lost, and it syncs like any other row) but is
/// not in its table, because showing it would break a foreign key or a unique index. Every replica holding the same
/// states holds back the same rows for the same reasons.
/// </summary>
/// <param name="Table">The replicated table.</param>
/// <param name="Key">The canonical key text: a JSON array of the key's values.</param>
/// <param name="EntityType">The display name of the entity type of the table (the root of a hierarchy).</param>
/// <param name="Reason">Why it is held back.</param>
/// <param name="RelatedTable">The table of the row it waits for: the parent, or the row keeping the unique value.</param>
/// <param name="RelatedKey">The key text of that row.</param>
/// <param name="Index">For <see cref="HoldBackReason.UniqueConflict"/>: the name of the unique index; else null.</param>
/// <param name="Values">The row's column values as canonical JSON, by column name (key columns not included).</param>
public sealed record HeldBackRow(
    string Table,
    string Key,
    string EntityType,
    HoldBackReason Reason,
    string RelatedTable,
    string RelatedKey,
    string? Index,
    IReadOnlyDictionary<string, string> Values);
