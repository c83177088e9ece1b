namespace Liblim.EfCore.Crdt;

/// <summary>
/// A last-writer-wins register: a column's value (as canonical JSON text) and the timestamp of the write
/// that set it. <see cref="Json"/> is null where the value is not needed: for a live row the data table
/// holds the value, and a local write only moves the clock.
/// </summary>
/// <param name="Json">The value's canonical JSON; null when not loaded.</param>
/// <param name="Clock">The timestamp of the write that set it.</param>
/// <param name="Prior">
/// The clock of the register that write replaced where it was made (the value its writer saw); null for a write over no
/// register (an insert). It travels with the register, unchanged, and tells a concurrent write from a later one
/// (<see cref="RowConflicts"/>).
/// </param>
internal readonly record struct ColumnValue(string? Json, HybridTimestamp Clock, HybridTimestamp? Prior = null)
{
    /// <summary>
    /// The register after merging two states of it: the later write wins. Equal clocks come from the same
    /// write and so carry the same value and prior; should they not, the ordinal-greater text wins, then the later
    /// prior, so that every replica still picks the same one.
    /// </summary>
    public static ColumnValue Merge(ColumnValue a, ColumnValue b)
    {
        var byClock = a.Clock.CompareTo(b.Clock);
        if (byClock != 0)
        {
            return byClock > 0 ? a : b;
        }

        var byText = string.CompareOrdinal(a.Json, b.Json);
        return byText != 0 ? (byText > 0 ? a : b) : Nullable.Compare(a.Prior, b.Prior) >= 0 ? a : b;
    }
}
