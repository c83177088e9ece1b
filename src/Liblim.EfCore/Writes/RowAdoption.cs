using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Writes;

/// <summary>
/// Rows a replicated table holds without replication metadata (stored before the entity was replicated, or written
/// around Liblim) are adopted: each gets a feed position, so that syncs send it, and one clock for all its columns and
/// its add tag. The clock's node is <see cref="Node"/>, the same on every replica, and its ticks are a hash of the row's
/// values below 2^56 (a time before 2005): so any write made with replication on wins over an adoption, whichever
/// replica adopted later; a row adopted on two replicas copied from one source has the same state on both (nothing
/// conflicts, and deleting it on one deletes it everywhere); and rows that only share a key keep different tags, so
/// that deleting one does not delete the other, while their columns merge as two inserts of one key do.
/// </summary>
/// <remarks>Done once per process and database, with <see cref="CatchUp"/>.</remarks>
internal static class RowAdoption
{
    /// <summary>The node of every adopted row's clock: no replica's, since a replica's node ids are random (version 4) UUIDs.</summary>
    public static readonly Guid Node = new("00000000-0000-0000-0000-00000000ad07");

    /// <summary>
    /// Adopts the rows of every replicated table, parents before the tables that reference them, at the feed positions
    /// after <paramref name="after"/>; returns how many. Only under the state row's lock.
    /// </summary>
    public static async Task<long> AdoptAsync(StoreSession session, long after, bool async, CancellationToken ct)
    {
        long adopted = 0;
        foreach (var table in ParentsFirst(session.Model.Tables))
        {
            adopted += await session.Shadow.AdoptAsync(table, after + adopted, Node, async, ct).ConfigureAwait(false);
        }

        return adopted;
    }

    private static List<ReplicatedTable> ParentsFirst(IEnumerable<ReplicatedTable> tables)
    {
        var ordered = new List<ReplicatedTable>();
        var seen = new HashSet<ReplicatedTable>();
        foreach (var table in tables)
        {
            Visit(table);
        }

        return ordered;

        void Visit(ReplicatedTable table)
        {
            if (seen.Add(table))
            {
                foreach (var reference in table.ForeignKeys)
                {
                    Visit(reference.Principal);
                }

                ordered.Add(table);
            }
        }
    }
}
