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

    /// <summary>The row appeared.</summary>
    Inserted = 1,

    /// <summary>Some of the row's columns changed.</summary>
    Updated = 2,

    /// <summary>The row was deleted.</summary>
    Deleted = 3,
}
