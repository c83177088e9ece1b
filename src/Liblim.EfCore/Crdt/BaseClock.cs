namespace Liblim.EfCore.Crdt;

/// <summary>
/// The clock most of a row state's columns share (the first, in column name order, among the most common): stored, and
/// sent, once, with only the other columns' clocks listed. A state without columns has its greatest tag as base clock.
/// </summary>
internal static class BaseClock
{
    /// <summary>The base clock of a state.</summary>
    /// <exception cref="InvalidOperationException">The state holds no timestamp at all.</exception>
    public static HybridTimestamp Of(RowState state)
    {
        if (state.Columns.IsEmpty)
        {
            return state.MaxClock ?? throw new InvalidOperationException($"Row {state.Table} {state.Key} has no state to store.");
        }

        Span<HybridTimestamp> clocks = state.Columns.Count <= 64 ? stackalloc HybridTimestamp[state.Columns.Count] : new HybridTimestamp[state.Columns.Count];
        var i = 0;
        foreach (var (_, value) in state.Columns)
        {
            clocks[i++] = value.Clock;
        }

        return clocks[MostCommon<HybridTimestamp>(clocks)];
    }

    /// <summary>The position of the first of the most common items: the base clock among the clocks of a row's columns, in name order.</summary>
    public static int MostCommon<T>(ReadOnlySpan<T> items)
        where T : IEquatable<T>
    {
        // Few distinct clocks per row (usually one or two): count them in a short list; the first most common wins.
        Span<int> firsts = items.Length <= 64 ? stackalloc int[items.Length] : new int[items.Length];
        Span<int> counts = items.Length <= 64 ? stackalloc int[items.Length] : new int[items.Length];
        var distinct = 0;
        var best = 0;
        for (var n = 0; n < items.Length; n++)
        {
            var i = 0;
            while (i < distinct && !items[firsts[i]].Equals(items[n]))
            {
                i++;
            }

            if (i == distinct)
            {
                firsts[distinct] = n;
                counts[distinct++] = 0;
            }

            if (++counts[i] > counts[best] || (counts[i] == counts[best] && i < best))
            {
                best = i;
            }
        }

        return firsts[best];
    }
}
