namespace Liblim.EfCore.Crdt;

/// <summary>
/// A column decided between two different values written concurrently: the merge kept <see cref="Winner"/> (the later
/// write) and <see cref="Loser"/> is gone from the row.
/// </summary>
internal readonly record struct ColumnConflict(string Column, ColumnValue Winner, ColumnValue Loser);

/// <summary>
/// Which registers a merge decides between concurrent writes (docs/semantics.md, "Conflicts"). Two writes of a column are
/// concurrent when the later one's writer had not seen the earlier one: the register it replaced (its prior) is older than
/// the earlier write, or there was none (an insert). A write made over the very register it wins against is a later
/// edit, not a conflict; so is one made over a register newer than the loser (its writer saw a later state of the column,
/// where the loser had lost already: that merge is where the conflict was, if there was one).
/// </summary>
internal static class RowConflicts
{
    /// <summary>
    /// The registers where merging <paramref name="remote"/> into <paramref name="local"/> decides between two different
    /// values written concurrently, in column name order; empty when there is none (the usual case). A value that is not
    /// loaded (null) on either side is not compared.
    /// </summary>
    public static List<ColumnConflict>? Between(RowState local, RowState remote)
    {
        List<ColumnConflict>? conflicts = null;
        foreach (var (name, theirs) in remote.Columns)
        {
            if (!local.Columns.TryGetValue(name, out var ours) || ours.Clock == theirs.Clock
                || ours.Json is null || theirs.Json is null || ours.Json == theirs.Json)
            {
                continue;
            }

            var winner = ColumnValue.Merge(ours, theirs);
            var loser = winner == ours ? theirs : ours;
            if (winner.Prior is not { } prior || prior < loser.Clock)
            {
                (conflicts ??= []).Add(new ColumnConflict(name, winner, loser));
            }
        }

        return conflicts;
    }
}
