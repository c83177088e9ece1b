namespace Liblim.EfCore.Crdt;

/// <summary>
/// A column decided between two different values written concurrently: the merge kept <see cref="Winner"/> (the later
/// write) and <see cref="Loser"/> is gone from the row; or, where <see cref="Winner"/> is null, the row was deleted by a
/// delete that had not seen the write of <see cref="Loser"/>, which stays only in the deleted row's registers.
/// </summary>
internal readonly record struct ColumnConflict(string Column, ColumnValue? Winner, ColumnValue Loser);

/// <summary>
/// Which registers a merge decides between concurrent writes (docs/semantics.md, "Conflicts"). Two writes of a column are
/// concurrent when the later one's writer had not seen the earlier one: the register it replaced (its prior) is older than
/// the earlier write, or there was none (an insert). A write made over the very register it wins against is a later
/// edit, not a conflict; so is one made over a register newer than the loser (its writer saw a later state of the column,
/// where the loser had lost already: that merge is where the conflict was, if there was one). A write meets a deleted state
/// (no add tag, some tombstone) that lacks it (its register there is older): no delete that state holds had seen the
/// write, and where the merge leaves the row deleted, the write lost to them. The write may come in a delta, which carries
/// no tags: what tells a deleted state is its tombstones, not a missing add tag.
/// </summary>
internal static class RowConflicts
{
    /// <summary>
    /// The registers where merging <paramref name="remote"/> into <paramref name="local"/> decides between two different
    /// values written concurrently, or leaves a write lost to a delete that had not seen it, in column name order; null
    /// when there is none (the usual case). A value that is not loaded (null) on either side is not compared, unless
    /// <paramref name="localValue"/> gives this side's: it is asked only for the registers whose clocks say a conflict.
    /// </summary>
    public static List<ColumnConflict>? Between(RowState local, RowState remote, Func<string, string?>? localValue = null)
    {
        List<ColumnConflict>? conflicts = null;
        var deleted = IsDeleted(local) != IsDeleted(remote) && !EndsAlive(local, remote) ? (IsDeleted(local) ? local : remote) : null;
        foreach (var (name, theirs) in remote.Columns)
        {
            if (!local.Columns.TryGetValue(name, out var ours) || ours.Clock == theirs.Clock || theirs.Json is null)
            {
                continue;
            }

            // Different clocks: the merge picks the later write without looking at the values.
            var oursWins = ColumnValue.Merge(ours, theirs) == ours;
            var (winner, loser) = oursWins ? (ours, theirs) : (theirs, ours);
            var lost = deleted is not null
                // The live side's write is newer than the deleted state's register: none of its deletes had seen it.
                ? ReferenceEquals(deleted, local) != oursWins
                : winner.Prior is not { } prior || prior < loser.Clock;
            if (!lost)
            {
                continue;
            }

            if (ours.Json is null && localValue?.Invoke(name) is { } json)
            {
                ours = ours with { Json = json };
                (winner, loser) = oursWins ? (ours, theirs) : (theirs, ours);
            }

            if (ours.Json is null || ours.Json == theirs.Json)
            {
                continue;
            }

            (conflicts ??= []).Add(deleted is not null ? new ColumnConflict(name, null, winner) : new ColumnConflict(name, winner, loser));
        }

        return conflicts;
    }

    /// <summary>Whether a state is of a deleted row: tombstones and no add tag (a delta of registers has neither).</summary>
    private static bool IsDeleted(RowState state) => !state.IsAlive && !state.Tombstones.IsEmpty;

    /// <summary>Whether the merge of the two states leaves the row alive: an add tag of either is not a tombstone of either.</summary>
    private static bool EndsAlive(RowState a, RowState b) => HasTagNotTombstoned(a, b) || HasTagNotTombstoned(b, a);

    private static bool HasTagNotTombstoned(RowState state, RowState other)
    {
        foreach (var tag in state.AddTags)
        {
            if (!other.Tombstones.Contains(tag))
            {
                return true;
            }
        }

        return false;
    }
}
