namespace Liblim.EfCore;

/// <summary>A row that a merge changed, so that an app can refresh what shows it.</summary>
/// <param name="Table">The replicated table.</param>
/// <param name="Key">The canonical key text: a JSON array of the key's values.</param>
/// <param name="Change">What happened to the row.</param>
public sealed record ChangedRow(string Table, string Key, RowChange Change);

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
