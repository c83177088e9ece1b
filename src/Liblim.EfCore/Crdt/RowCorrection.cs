namespace Liblim.EfCore.Crdt;

/// <summary>
/// The state a server answers a refused write with, so that the writer, once it merges it, shows what the server shows,
/// and every replica converges there: the server's state, with each register the writer's state would win re-stamped at a
/// later timestamp (the server's value, written again), each add tag of the writer's that the server never had
/// tombstoned, and a fresh add tag where the writer's tombstones would end a row the server keeps alive.
/// </summary>
internal static class RowCorrection
{
    /// <param name="server">The server's state of the row; null when it has none.</param>
    /// <param name="refused">The writer's state, not applied.</param>
    /// <param name="at">A timestamp of the server's, later than every timestamp in both states.</param>
    public static RowState For(RowState? server, RowState refused, HybridTimestamp at)
    {
        var correction = server ?? RowState.Empty(refused.Table, refused.Key);
        var columns = correction.Columns.ToBuilder();
        foreach (var (name, theirs) in refused.Columns)
        {
            // Where the server has no register there is nothing to restore: the row is dead for the writer after this.
            if (correction.Columns.TryGetValue(name, out var ours) && ColumnValue.Merge(ours, theirs) != ours)
            {
                columns[name] = new ColumnValue(ours.Json, at);
            }
        }

        var unknownTags = refused.AddTags.Where(t => !correction.AddTags.Contains(t) && !correction.Tombstones.Contains(t));
        var addTags = correction.AddTags;
        if (correction.IsAlive && correction.AddTags.All(refused.Tombstones.Contains))
        {
            addTags = addTags.Add(at); // the writer deleted a row it may not: it lives on under a new tag
        }

        return new RowState(correction.Table, correction.Key, columns.ToImmutable(), addTags, correction.Tombstones.Union(unknownTags));
    }
}
