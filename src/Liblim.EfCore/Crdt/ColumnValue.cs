namespace Liblim.EfCore.Crdt;

/// <summary>
/// A last-writer-wins register: a column's value (as canonical JSON text) and the timestamp of the write
/// that set it. <see cref="Json"/> is null where the value is not needed: for a live row the data table
/// holds the value, and a local write only moves the clock.
/// </summary>
internal readonly record struct ColumnValue(string? Json, HybridTimestamp Clock)
{
    /// <summary>
    /// The register after merging two states of it: the later write wins. Equal clocks come from the same
    /// write and so carry the same value; should they not, the ordinal-greater text wins so that every
    /// replica still picks the same one.
    /// </summary>
    public static ColumnValue Merge(ColumnValue a, ColumnValue b)
    {
        var byClock = a.Clock.CompareTo(b.Clock);
        if (byClock != 0)
        {
            return byClock > 0 ? a : b;
        }

        return string.CompareOrdinal(a.Json, b.Json) >= 0 ? a : b;
    }
}
