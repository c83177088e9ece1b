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
    /// when there is none (the usual case). A value that is not loaded (null) on either side is not compared.
    /// </summary>
    public static List<ColumnConflict>? Between(RowState local, RowState remote)
    {
        List<ColumnConflict>? conflicts = null;
        var deleted = IsDeleted(local) != IsDeleted(remote) && !EndsAlive(local, remote) ? (IsDeleted(local) ? local : remote) : null;
        foreach (var (name, theirs) in remote.Columns)
        {
            if (!local.Columns.TryGetValue(name, out var ours) || ours.Clock == theirs.Clock
                || ours.Json is null || theirs.Json is null || ours.Json == theirs.Json)
            {
                continue;
            }

            var winner = ColumnValue.Merge(ours, theirs);
            var loser = winner == ours ? theirs : ours;
            if (deleted is not null)
            {
                // The live side's write is newer than the deleted state's register: none of its deletes had seen it.
                if (ReferenceEquals(deleted, local) ? winner == theirs : winner == ours)
                {
                    (conflicts ??= []).Add(new ColumnConflict(name, null, winner));
                }
            }
            else if (winner.Prior is not { } prior || prior < loser.Clock)
            {
                (conflicts ??= []).Add(new ColumnConflict(name, winner, loser));
            }
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
