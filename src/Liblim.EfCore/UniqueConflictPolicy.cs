namespace Liblim.EfCore;

/// <summary>
/// Which row keeps a unique value when replicas wrote it into different rows. The other rows are kept with all
/// their values, held back from the table (<c>db.Liblim().GetHeldBackRowsAsync()</c>) until the value is free.
/// Every replica applies the same rule to the same rows, so all show the same holder.
/// </summary>
public enum UniqueConflictPolicy
{
    /// <summary>The row inserted first (the smallest add tag; equal tags: the smaller key) keeps the value.</summary>
    KeepEarliest = 0,

    /// <summary>
    /// The row whose value for the index's columns was written last (the latest clock among those columns; equal
    /// clocks: the smaller key) keeps the value.
    /// </summary>
    KeepLatest = 1,
}
