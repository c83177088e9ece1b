namespace Liblim.EfCore.Crdt;

/// <summary>
/// What a row's state adds to a state of the same row sent before: the registers that win over the sent ones (or that
/// it did not hold) and the tags it did not hold. Merged into any state that holds the sent one, it gives what merging the whole
/// state gives, since a merge is a join and the current state is the join of the sent one and its delta.
/// </summary>
internal static class RowDelta
{
    /// <summary>
    /// The part of <paramref name="current"/> that <paramref name="sent"/> lacks; null when it lacks nothing (also when
    /// <paramref name="sent"/> is the newer). A new add
    /// tag (an insert, or a revive after a delete) takes the whole state along, so that a row that comes back arrives
    /// with every register, as an insert does.
    /// </summary>
    public static RowState? Since(RowState sent, RowState current)
    {
        if (current.AddTags.Any(t => !sent.AddTags.Contains(t) && !sent.Tombstones.Contains(t)))
        {
            return current;
        }

        var columns = current.Columns.ToBuilder();
        foreach (var (name, value) in current.Columns)
        {
            if (sent.Columns.TryGetValue(name, out var before) && ColumnValue.Merge(before, value) == before)
            {
                columns.Remove(name);
            }
        }

        var tombstones = current.Tombstones.Except(sent.Tombstones);
        if (columns.Count == 0 && tombstones.IsEmpty)
        {
            return null;
        }

        return new RowState(current.Table, current.Key, columns.ToImmutable(), [], tombstones);
    }

    /// <summary>
    /// The registers a row's latest write set, when that write was an update made later than every clock the row held
    /// (the caller knows it): those at its greatest clock, and no tag. Merged into the state the row had before that
    /// write, or any state holding it, it gives what the whole state gives.
    /// </summary>
    public static RowState LatestWrite(RowState state)
    {
        if (state.Columns.IsEmpty)
        {
            return state;
        }

        var latest = state.Columns.Values.Max(c => c.Clock);
        var columns = state.Columns.Where(c => c.Value.Clock == latest);
        return new RowState(state.Table, state.Key, ColumnMap.CreateRange(columns), [], []);
    }
}
