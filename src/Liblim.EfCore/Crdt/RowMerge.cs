using System.Collections.Immutable;

namespace Liblim.EfCore.Crdt;

/// <summary>
/// Where a row's merge is decided. Merge is the join of two row states: registers keep the later write, add
/// tags and tombstones are unions, and a tag tombstoned on either side is dead on both. The join is
/// idempotent, commutative and associative, so replicas that have seen the same writes hold the same state,
/// whatever order the states arrived in.
/// </summary>
internal static class RowMerge
{
    /// <summary>Merges two states of the same row of a table replicated as <see cref="ReplicationKind.LastWriterWins"/>.</summary>
    public static RowState Merge(RowState a, RowState b)
    {
        EnsureSameRow(a, b);
        // Often one side is the join already (a newer version of the row meets an older one): that side, as it is.
        if (Covers(b, a))
        {
            return b;
        }

        if (Covers(a, b))
        {
            return a;
        }

        var columns = a.Columns.ToBuilder();
        foreach (var (name, theirs) in b.Columns)
        {
            columns[name] = columns.TryGetValue(name, out var ours) ? ColumnValue.Merge(ours, theirs) : theirs;
        }

        var tombstones = a.Tombstones.Union(b.Tombstones);
        return new RowState(a.Table, a.Key, columns.ToImmutable(), a.AddTags.Union(b.AddTags), tombstones);
    }

    /// <summary>
    /// Merges two states of the same row of a grow-only (<see cref="ReplicationKind.InsertOnly"/>) table. Both
    /// sides must hold the same values; a difference is a conflict.
    /// </summary>
    /// <exception cref="InsertOnlyConflictException">The two states hold different values for the row.</exception>
    public static RowState MergeInsertOnly(RowState a, RowState b)
    {
        EnsureSameRow(a, b);
        if (a.IsAlive && b.IsAlive)
        {
            var differing = a.Columns.Keys.Union(b.Columns.Keys)
                .Where(c => !a.Columns.TryGetValue(c, out var x) || !b.Columns.TryGetValue(c, out var y) || x.Json != y.Json)
                .ToImmutableArray();
            if (!differing.IsEmpty)
            {
                throw new InsertOnlyConflictException(a.Table, a.Key, differing, a.AddTags.Min.Node, b.AddTags.Min.Node);
            }
        }

        return Merge(a, b);
    }

    /// <summary>
    /// Whether merging <paramref name="other"/> into <paramref name="state"/> leaves <paramref name="state"/> as it is:
    /// every register of the other side loses to (or equals) the state's, and every tag of the other side is already
    /// an add tag or a tombstone of the state, each tombstone a tombstone.
    /// </summary>
    private static bool Covers(RowState state, RowState other)
    {
        if (state.Columns.Count < other.Columns.Count)
        {
            return false;
        }

        foreach (var (name, theirs) in other.Columns)
        {
            if (!state.Columns.TryGetValue(name, out var ours) || ColumnValue.Merge(ours, theirs) != ours)
            {
                return false;
            }
        }

        foreach (var tombstone in other.Tombstones)
        {
            if (!state.Tombstones.Contains(tombstone))
            {
                return false;
            }
        }

        foreach (var tag in other.AddTags)
        {
            if (!state.AddTags.Contains(tag) && !state.Tombstones.Contains(tag))
            {
                return false;
            }
        }

        return true;
    }

    private static void EnsureSameRow(RowState a, RowState b)
    {
        if (a.Table != b.Table || a.Key != b.Key)
        {
            throw new ArgumentException($"Cannot merge states of different rows ({a.Table} {a.Key} and {b.Table} {b.Key}).");
        }
    }
}
